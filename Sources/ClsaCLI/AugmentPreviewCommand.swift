import ArgumentParser
import Augment
import Foundation
import TensorCore

/// `clsa augment-preview`: a PNG grid with one row per dataset image: the original, the weak
/// views T and T′, and the strong view(s) S, drawn as a training run with the same seed draws
/// them for epoch 0 (streams keyed by (seed, 0, sample index, view)).
struct AugmentPreviewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "augment-preview",
        abstract: "Write a PNG grid of augmented views: original | T | T′ | S (one row per image).",
        discussion: "The original is scaled to fit the view size. Views are keyed by (seed, epoch 0, image index, view).")

    @Option(help: "The dataset: \(DatasetSpecifier.builtInNames.joined(separator: ", ")) or an image folder.")
    var data: String

    @Option(help: "How many images (rows), from the first.")
    var count = 4

    @Option(help: "The output PNG file.")
    var out: String

    @Option(help: "Strong view sizes, comma-separated: 96 for CLSA-Single, 224,192,160,128,96 for CLSA-Multi (default: 96 scaled to --image-size).")
    var strongSizes: String?

    @Option(help: "The weak views' size in pixels.")
    var imageSize = 224

    @Option(help: "The random seed.")
    var seed: UInt64 = 0

    @Option(help: "The strong pool: paper (with Invert) or released (with Identity).")
    var pool: StrongAugmentation.Pool = .paper

    @Option(help: "Strong magnitudes: levels (1…9 of 10, as the released code) or continuous (Table 1's ranges).")
    var magnitudes: StrongAugmentation.MagnitudeSampling = .levels

    func validate() throws {
        guard count >= 1 else { throw ValidationError("--count must be at least 1, got \(count)") }
        guard imageSize >= 1 else { throw ValidationError("--image-size must be at least 1, got \(imageSize)") }
        _ = try parsedStrongSizes()
        do {
            if case .imageFolder(let path) = try DatasetSpecifier(parsing: data) {
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
                    throw ValidationError("--data '\(path)' is not a folder")
                }
            }
        } catch let error as DatasetError {
            throw ValidationError("--data: \(error)")
        }
    }

    func run() throws {
        let dataset = try DatasetSpecifier(parsing: data).open()
        let weak = WeakAugmentation(size: imageSize)
        let strong = try parsedStrongSizes().map {
            StrongAugmentation(size: $0, weakSize: imageSize, pool: pool, magnitudes: magnitudes)
        }
        let reader = ImageFileReader()
        let rows = try (0..<min(count, dataset.count)).map { index -> [RGBImage] in
            let image = try dataset.loadImage(at: index, reader: reader)
            func random(_ view: Int) -> SeededRandom { SeededRandom(seed: seed, 0, UInt64(index), UInt64(view)) }
            var views = [Self.fitted(image, inside: imageSize)]
            for view in 0..<2 {
                var stream = random(view)
                views.append(weak.apply(to: image, random: &stream))
            }
            for (k, augmentation) in strong.enumerated() {
                var stream = random(2 + k)
                views.append(augmentation.apply(to: image, random: &stream))
            }
            return views
        }
        let grid = PreviewGrid(rows: rows).image()
        try PNGOutput.write(grid, to: out)
        print("wrote '\(out)': \(rows.count) rows of original | T | T′ | S at \(strong.map(\.size)), \(grid.width)×\(grid.height) pixels")
    }

    /// `--strong-sizes` as numbers, each in 1…`--image-size`.
    private func parsedStrongSizes() throws -> [Int] {
        guard let strongSizes else { return [StrongAugmentation.singleSize(weakSize: imageSize)] }
        let fields = strongSizes.split(separator: ",", omittingEmptySubsequences: false)
        return try fields.map { field in
            guard let size = Int(field.trimmingCharacters(in: .whitespaces)), (1...imageSize).contains(size) else {
                throw ValidationError("--strong-sizes '\(strongSizes)': each size must be a whole number in 1…\(imageSize) (--image-size)")
            }
            return size
        }
    }

    /// `image` scaled (BILINEAR) so that its longer side is `side`, for display beside the views.
    private static func fitted(_ image: RGBImage, inside side: Int) -> RGBImage {
        let scale = Double(side) / Double(max(image.width, image.height))
        return image.resized(width: max(1, Int((Double(image.width) * scale).rounded())),
                             height: max(1, Int((Double(image.height) * scale).rounded())))
    }
}
