import ArgumentParser
import Augment
import CLSA
import Foundation
import TensorCore

/// `clsa augment-preview`: a PNG grid with one row per dataset image: the original, then the
/// views a pretraining run with these settings and seed makes of it in epoch 0 (`CLSAViews`:
/// T, each weak query T′, each strong view S).
struct AugmentPreviewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "augment-preview",
        abstract: "Write a PNG grid of augmented views: original | T | T′ | S (one row per image).",
        discussion: "The original is scaled to fit the view size. Views are keyed by (seed, epoch 0, image index, view), as in a run.")

    @Option(help: "The dataset: \(DatasetSpecifier.builtInNames.joined(separator: ", ")) or an image folder.")
    var data: String

    @Option(help: "How many images (rows), from the first.")
    var count = 4

    @Option(help: "The output PNG file.")
    var out: String

    @Option(help: "The weak views' size in pixels (default: 224).")
    var imageSize: Int?

    @Option(help: "Strong view sizes, comma-separated: 96 for CLSA-Single, 224,192,160,128,96 for CLSA-Multi (default: 96 scaled to --image-size).")
    var strongSizes: CommaSeparated<Int>?

    @Option(help: "Weak query view sizes, comma-separated (default: one at --image-size).")
    var weakSizes: CommaSeparated<Int>?

    @Option(help: "The random seed.")
    var seed: UInt64 = 0

    @Option(help: "The strong policy's operations: paper (with Invert) or released (with Identity).")
    var strongPool: StrongAugmentation.Pool?

    @Option(help: "Strong magnitudes: levels (1…9 of 10, as the released code) or continuous (Table 1's ranges).")
    var strongMagnitudes: StrongAugmentation.MagnitudeSampling?

    func validate() throws {
        guard count >= 1 else { throw ValidationError("--count must be at least 1, got \(count)") }
        _ = try views()
        try DatasetArgument.validate(data, flag: "--data")
    }

    func run() throws {
        let dataset = try DatasetSpecifier(parsing: data).open()
        let views = try views()
        let reader = ImageFileReader()
        let rows = try (0..<min(count, dataset.count)).map { index -> [RGBImage] in
            let image = try dataset.loadImage(at: index, reader: reader)
            return [Self.fitted(image, inside: views.weak.size)]
                + views.views(of: image) { view in SeededRandom(seed: seed, 0, UInt64(index), UInt64(view)) }
        }
        let grid = PreviewGrid(rows: rows).image()
        try PNGOutput.write(grid, to: out)
        print("wrote '\(out)': \(rows.count) rows of original | T | T′ | S at \(views.strong.map(\.size)), \(grid.width)×\(grid.height) pixels")
    }

    /// The views of a run with the paper's defaults and these flags.
    private func views() throws -> CLSAViews {
        var overrides = PretrainingOverrides()
        overrides.imageSize = imageSize
        overrides.strongSizes = strongSizes?.values
        overrides.weakSizes = weakSizes?.values
        overrides.strongPool = strongPool
        overrides.strongMagnitudes = strongMagnitudes
        do {
            let configuration = overrides.applied(to: PretrainingConfiguration())
            try configuration.validate()
            return try configuration.views()
        } catch let error as ConfigurationError {
            throw ValidationError(error.message)
        }
    }

    /// `image` scaled (BILINEAR) so that its longer side is `side`, for display beside the views.
    private static func fitted(_ image: RGBImage, inside side: Int) -> RGBImage {
        let scale = Double(side) / Double(max(image.width, image.height))
        return image.resized(width: max(1, Int((Double(image.width) * scale).rounded())),
                             height: max(1, Int((Double(image.height) * scale).rounded())))
    }
}
