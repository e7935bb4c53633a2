import Augment
import Foundation
import TensorCore
import XCTest
@testable import CLSA

final class FeatureExportTests: XCTestCase {
    private var folder: String!

    override func setUpWithError() throws { folder = try EvaluationFixtures.temporaryFolder("feature-export") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: folder) }

    /// A labelled folder: one row per image in sorted path order, the labels, and the paths and
    /// class names in the metadata.
    func testLabelledFolderExport() throws {
        let paths = try EvaluationFixtures.writeColourFolder(folder + "/data", perClass: 3, seed: 6)
        let dataset = try ImageFolderDataset(root: folder + "/data")
        let backbone = EvaluationFixtures.tinyBackbone()
        let extracted = try FeatureExtractor(backbone: backbone, batchSize: 4).extract(dataset)
        let out = folder + "/features.safetensors"
        try FeatureExport.write(extracted, of: dataset, backbone: backbone, to: out)

        let reader = try SafeTensorsReader(path: out)
        XCTAssertEqual(reader.names, ["features", "labels"])
        XCTAssertEqual(try reader.tensor("features").shape, [9, 32])
        XCTAssertEqual(try reader.tensor("features").scalars, extracted.features.scalars)
        // Sorted class folders: blue (0), green (1), red (2).
        XCTAssertEqual(try reader.int64s("labels"), [0, 0, 0, 1, 1, 1, 2, 2, 2])
        let storedPaths = try JSONSerialization.jsonObject(with: Data(reader.metadata["paths"]!.utf8)) as? [String]
        XCTAssertEqual(storedPaths, paths)
        XCTAssertEqual(reader.metadata["class_names"], #"["blue","green","red"]"#)
        XCTAssertEqual(reader.metadata["format"], FeatureExport.format)
        XCTAssertEqual(reader.metadata["architecture"], "resnet18-small")
        XCTAssertEqual(reader.metadata["image_size"], "16")
        XCTAssertEqual(reader.metadata["feature_dimension"], "32")
    }

    /// A flat folder has no labels tensor and no class names; an undecodable file gets no row.
    func testFlatFolderWithABadFile() throws {
        try EvaluationFixtures.writeColourFolder(folder + "/flat", perClass: 2, classes: 2, labelled: false, seed: 6)
        try Data("not a png".utf8).write(to: URL(fileURLWithPath: folder + "/flat/green-00b.png"))
        let dataset = try ImageFolderDataset(root: folder + "/flat")
        let backbone = EvaluationFixtures.tinyBackbone()
        let warnings = WarningCollector()
        let extracted = try FeatureExtractor(backbone: backbone, batchSize: 2, warningSink: warnings.sink).extract(dataset)
        XCTAssertEqual(extracted.count, 4)
        XCTAssertEqual(extracted.skippedCount, 1)
        XCTAssertEqual(warnings.lines.count, 1)
        XCTAssertTrue(warnings.lines.first?.contains("green-00b.png") ?? false)
        let out = folder + "/flat.safetensors"
        try FeatureExport.write(extracted, of: dataset, backbone: backbone, to: out)
        let reader = try SafeTensorsReader(path: out)
        XCTAssertEqual(reader.names, ["features"])
        XCTAssertNil(reader.metadata["class_names"])
        let storedPaths = try JSONSerialization.jsonObject(with: Data(reader.metadata["paths"]!.utf8)) as? [String]
        XCTAssertEqual(storedPaths?.map { ($0 as NSString).lastPathComponent },
                       ["green-00.png", "green-01.png", "red-00.png", "red-01.png"])
    }
}

/// Collects loader warnings from any thread.
final class WarningCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var collected: [String] = []

    var lines: [String] { lock.withLock { collected } }

    var sink: DataLoader.WarningSink {
        { [self] line in lock.withLock { collected.append(line) } }
    }
}
