import Augment
import Foundation
import TensorCore
import XCTest
@testable import CLSA

/// Tiny pretraining settings and data shared by the checkpoint, run and CLI tests: a
/// resnet18-small of width 4 on 16 px views, batch 8, K 32 — a step takes milliseconds.
enum PretrainingFixtures {
    static func tinyConfiguration(epochs: Int = 2) -> PretrainingConfiguration {
        var configuration = PretrainingConfiguration()
        configuration.architecture = .resnet18Small
        configuration.baseWidth = 4
        configuration.imageSize = 16
        configuration.strongSizes = [8]
        configuration.batchSize = 8
        configuration.queueSize = 32
        configuration.keyShuffleGroups = 2
        configuration.dimension = 16
        configuration.hidden = 16
        configuration.epochs = epochs
        configuration.alpha = 0.9
        configuration.learningRate = 0.05
        configuration.seed = 7
        return configuration
    }

    /// One batch of views (T, T′, S) for `configuration`, drawn from `seed`.
    static func views(for configuration: PretrainingConfiguration, seed: UInt64) -> [Tensor] {
        var random = SeededRandom(seed: seed)
        let sizes = [configuration.imageSize, configuration.imageSize] + configuration.strongSizes
        return sizes.map { size in
            let count = configuration.batchSize * 3 * size * size
            return Tensor(shape: [configuration.batchSize, 3, size, size],
                          scalars: (0..<count).map { _ in Float(random.normal()) })
        }
    }

    /// `count` random `side`×`side` images drawn from `seed`.
    static func images(count: Int, side: Int = 20, seed: UInt64 = 1) -> [RGBImage] {
        var random = SeededRandom(seed: seed)
        return (0..<count).map { _ in
            RGBImage(width: side, height: side, pixels: (0..<(side * side * 3)).map { _ in UInt8(random.integer(in: 0...255)) })
        }
    }

    /// A flat folder of `count` PNG files, plus `undecodable` text files named `broken-N.png`.
    static func imageFolder(at path: String, count: Int, undecodable: Int = 0) throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        for (index, image) in images(count: count).enumerated() {
            let file = (path as NSString).appendingPathComponent(String(format: "image-%03d.png", index))
            try Data(try PNGCodec.encode(image)).write(to: URL(fileURLWithPath: file))
        }
        for index in 0..<undecodable {
            let file = (path as NSString).appendingPathComponent("broken-\(index).png")
            try Data("not a png\n".utf8).write(to: URL(fileURLWithPath: file))
        }
    }

    /// A fresh temporary folder, removed when `test` finishes.
    static func temporaryFolder(for test: XCTestCase) throws -> String {
        let path = NSTemporaryDirectory() + "clsa-pretrain-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        test.addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    /// The per-step losses L, L_C and L_D of a `metrics.jsonl`, as their bit patterns, by step.
    static func stepLosses(inMetrics path: String) throws -> [Int: [UInt32]] {
        var losses: [Int: [UInt32]] = [:]
        for (record, _) in try JSONLines.read(MetricsRecord.self, contentsOf: path).records {
            guard case .step(let step) = record else { continue }
            XCTAssertNil(losses[step.step], "step \(step.step) recorded twice in \(path)")
            losses[step.step] = [step.loss, step.lossContrastive, step.lossDivergence].map(\.bitPattern)
        }
        return losses
    }
}

/// Images held in memory, unlabelled, for in-process runs.
struct InMemoryDataset: ImageDataset {
    let images: [RGBImage]
    var count: Int { images.count }
    var classNames: [String] { [] }
    func label(at index: Int) -> Int? { nil }
    func name(at index: Int) -> String { "memory[\(index)]" }
    func loadImage(at index: Int, reader: ImageFileReader) throws -> RGBImage { images[index] }
}
