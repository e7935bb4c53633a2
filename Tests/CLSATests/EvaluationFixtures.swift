import Augment
import Foundation
import TensorCore
@testable import CLSA

/// Small backbones, synthetic colour-coded datasets and checkpoint files for the evaluation tests.
enum EvaluationFixtures {
    /// Side of the evaluation views.
    static let imageSize = 16
    /// Side of the synthetic images (the evaluation view resizes them to 18 and crops 16).
    static let sourceSize = 20

    /// A randomly initialised resnet18-small with base width 4 (32-d features) at 16 px.
    static func tinyBackbone(seed: UInt64 = 1) -> PretrainedBackbone {
        var configuration = ResNetArchitecture.resnet18Small.configuration()
        configuration.baseWidth = 4
        var random = SeededRandom(seed: seed)
        return PretrainedBackbone(network: ResNet(configuration, random: &random), imageSize: imageSize,
                                  normalization: .imageNet)
    }

    /// Image `index` of class `label`: channel `label` bright (≈170) and the others dark (≈60),
    /// each byte jittered by up to ±60 from a seeded stream, so the classes differ by colour only.
    static func colourImage(label: Int, index: Int, seed: UInt64) -> RGBImage {
        var random = SeededRandom(seed: seed, UInt64(label), UInt64(index))
        var image = RGBImage(width: sourceSize, height: sourceSize)
        for pixel in 0..<(sourceSize * sourceSize) {
            for channel in 0..<3 {
                let base = channel == label ? 170 : 60
                image.pixels[3 * pixel + channel] = UInt8(base + random.integer(in: -60...60))
            }
        }
        return image
    }

    /// `perClass` images of each of `classes` (≤ 3) colour classes, in memory, class-major order.
    static func colourDataset(perClass: Int, classes: Int = 3, seed: UInt64) throws -> IDXDataset {
        let count = perClass * classes, size = sourceSize * sourceSize * 3
        var values = [UInt8](), labels = [UInt8]()
        for label in 0..<classes {
            for index in 0..<perClass {
                values += colourImage(label: label, index: index, seed: seed).pixels
                labels.append(UInt8(label))
            }
        }
        precondition(values.count == count * size)
        return try IDXDataset(images: IDXFile(dimensions: [count, sourceSize, sourceSize, 3], values: values),
                              labels: IDXFile(dimensions: [count], values: labels),
                              classNames: ["red", "green", "blue"].prefix(classes).map { $0 }, name: "colours")
    }

    /// Writes the colour classes as PNG files under `root/<class>/<nn>.png` (or flat under `root`
    /// when `labelled` is false) and returns the paths in sorted order.
    @discardableResult
    static func writeColourFolder(_ root: String, perClass: Int, classes: Int = 3, labelled: Bool = true,
                                  seed: UInt64) throws -> [String] {
        var paths: [String] = []
        for (label, name) in ["red", "green", "blue"].prefix(classes).enumerated() {
            let folder = labelled ? root + "/" + name : root
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            for index in 0..<perClass {
                let path = folder + "/" + (labelled ? "" : name + "-") + String(format: "%02d.png", index)
                let png = try PNGCodec.encode(colourImage(label: label, index: index, seed: seed))
                try Data(png).write(to: URL(fileURLWithPath: path))
                paths.append(path)
            }
        }
        return paths.sorted()
    }

    /// Writes `backbone` in the checkpoint format (`kind` backbone, or pretraining with an extra
    /// head tensor), omitting the tensors named in `omitting`.
    static func writeCheckpoint(_ backbone: PretrainedBackbone, to path: String, kind: String = "backbone",
                                omitting: Set<String> = [], metadata overrides: [String: String] = [:]) throws {
        var writer = SafeTensorsWriter()
        for entry in backbone.network.state where !omitting.contains(entry.name) {
            switch entry.value {
            case .float(let tensor): writer.add(entry.name, tensor)
            case .int64(let counter): writer.add(entry.name, int64: [counter.value], shape: [])
            }
        }
        if kind == "pretraining" {
            writer.add("head.0.bias", Tensor(shape: [2], scalars: [1, 2]))
        }
        writer.metadata = ["format": "clsa-swift-checkpoint-1", "kind": kind, "architecture": backbone.architecture,
                           "base_width": String(backbone.network.configuration.baseWidth),
                           "image_size": String(backbone.imageSize), "channels": "3",
                           "mean": "[0.485, 0.456, 0.406]", "std": "[0.229, 0.224, 0.225]", "version": CLSAVersion.string]
        writer.metadata.merge(overrides) { _, new in new }
        try writer.write(to: path)
    }

    /// The standardised probe on cached features for the colour datasets: 20 epochs, batch 16, lr 0.1.
    static func standardizedProbe() -> LinearEvaluationConfiguration {
        var configuration = LinearEvaluationConfiguration()
        configuration.epochs = 20
        configuration.batchSize = 16
        configuration.learningRate = 0.1
        configuration.cachedFeatures = true
        configuration.standardizedFeatures = true
        return configuration
    }

    /// A fresh temporary folder.
    static func temporaryFolder(_ label: String) throws -> String {
        let folder = NSTemporaryDirectory() + "\(label)-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return folder
    }
}
