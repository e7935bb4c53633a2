import Augment
import Foundation
import TensorCore
import XCTest
@testable import CLSA

final class BackboneLoaderTests: XCTestCase {
    private var folder: String!

    override func setUpWithError() throws { folder = try EvaluationFixtures.temporaryFolder("backbone-loader") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: folder) }

    /// Perturbs every state entry so that a loaded copy can only match by reading the file.
    private func distinctiveBackbone() -> PretrainedBackbone {
        let backbone = EvaluationFixtures.tinyBackbone(seed: 9)
        for (index, entry) in backbone.network.state.enumerated() {
            switch entry.value {
            case .float(let tensor): for i in 0..<tensor.count { tensor.data[i] += Float(index) * 0.001 + 0.5 }
            case .int64(let counter): counter.value = Int64(100 + index)
            }
        }
        return backbone
    }

    private func assertSameState(_ a: ResNet, _ b: ResNet, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.state.map(\.name), b.state.map(\.name), file: file, line: line)
        for (x, y) in zip(a.state, b.state) {
            switch (x.value, y.value) {
            case (.float(let s), .float(let t)): XCTAssertEqual(s.scalars, t.scalars, x.name, file: file, line: line)
            case (.int64(let s), .int64(let t)): XCTAssertEqual(s.value, t.value, x.name, file: file, line: line)
            default: XCTFail("\(x.name) changed kind", file: file, line: line)
            }
        }
    }

    func testExportedBackboneRoundTripsWithItsSettings() throws {
        let original = distinctiveBackbone()
        let path = folder + "/backbone.safetensors"
        try EvaluationFixtures.writeCheckpoint(original, to: path,
                                               metadata: ["mean": "[0.5, 0.25, 0]", "std": "[1, 2, 0.5]", "image_size": "24"])
        let loaded = try PretrainedBackbone(checkpoint: path)
        assertSameState(original.network, loaded.network)
        XCTAssertEqual(loaded.architecture, "resnet18-small")
        XCTAssertEqual(loaded.network.configuration.baseWidth, 4)
        XCTAssertEqual(loaded.imageSize, 24)
        XCTAssertEqual(loaded.normalization, Normalization(mean: [0.5, 0.25, 0], standardDeviation: [1, 2, 0.5]))
        XCTAssertEqual(loaded.featureDimension, 32)
    }

    /// A full pretraining checkpoint carries more tensors (head, key encoder, …); the backbone is read from it.
    func testPretrainingCheckpointGivesItsQueryBackbone() throws {
        let original = distinctiveBackbone()
        let path = folder + "/ckpt.safetensors"
        try EvaluationFixtures.writeCheckpoint(original, to: path, kind: "pretraining")
        assertSameState(original.network, try PretrainedBackbone(checkpoint: path).network)
    }

    func testMissingTensorIsNamed() throws {
        let path = folder + "/partial.safetensors"
        try EvaluationFixtures.writeCheckpoint(distinctiveBackbone(), to: path, omitting: ["layer3.0.bn2.running_var"])
        XCTAssertThrowsError(try PretrainedBackbone(checkpoint: path)) { error in
            XCTAssertTrue("\(error)".contains("'layer3.0.bn2.running_var'"), "\(error)")
            XCTAssertTrue("\(error)".contains(path), "\(error)")
        }
    }

    /// A checkpoint whose metadata claims a wider network than its tensors: the first mis-shaped tensor is named.
    func testMisShapedTensorIsNamed() throws {
        let path = folder + "/wide.safetensors"
        try EvaluationFixtures.writeCheckpoint(distinctiveBackbone(), to: path, metadata: ["base_width": "8"])
        XCTAssertThrowsError(try PretrainedBackbone(checkpoint: path)) { error in
            XCTAssertTrue("\(error)".contains("'conv1.weight'") && "\(error)".contains("[8, 3, 3, 3]"), "\(error)")
        }
    }

    func testMetadataProblemsAreRefused() throws {
        let cases: [([String: String], String)] = [
            (["format": "other-1"], "format: other-1"),
            (["kind": "classifier"], "kind 'classifier'"),
            (["architecture": "vgg16"], "unknown architecture 'vgg16'"),
            (["channels": "1"], "metadata says 1"),
            (["mean": "[0.5, 0.5]"], "'mean' is not a JSON array of 3 numbers"),
            (["std": "[1, 0, 1]"], "metadata 'std' [1.0, 0.0, 1.0] has a value outside (0, 10.0]"),
            (["std": "[0.2, 0.2, 1e308]"], "metadata 'std' [0.2, 0.2, 1e+308] has a value outside (0, 10.0]"),
            (["mean": "[0.5, -50, 0.5]"], "metadata 'mean' [0.5, -50.0, 0.5] has a value outside -10.0...10.0"),
            (["image_size": "big"], "'image_size' is not an integer: 'big'"),
            (["image_size": ""], "'image_size' is not an integer: ''"),
            (["image_size": "-1"], "metadata 'image_size' -1 lies outside 8...1024"),
            (["image_size": "0"], "metadata 'image_size' 0 lies outside 8...1024"),
            (["image_size": "999999999"], "metadata 'image_size' 999999999 lies outside 8...1024"),
            (["base_width": "999999999"], "metadata 'base_width' 999999999 lies outside 1...256"),
            (["base_width": "0"], "metadata 'base_width' 0 lies outside 1...256"),
            (["base_width": "99999999999999999999"], "'base_width' is not an integer: '99999999999999999999'"),
        ]
        for (index, (overrides, expected)) in cases.enumerated() {
            let path = folder + "/bad-\(index).safetensors"
            try EvaluationFixtures.writeCheckpoint(distinctiveBackbone(), to: path, metadata: overrides)
            XCTAssertThrowsError(try PretrainedBackbone(checkpoint: path)) { error in
                XCTAssertTrue("\(error)".contains(expected), "\(overrides): \(error)")
            }
        }
    }

    func testArchitectureNamesFollowTheConfiguration() {
        var random = SeededRandom(seed: 0)
        func name(_ configuration: ResNetConfiguration) -> String {
            PretrainedBackbone(network: ResNet(configuration, random: &random), imageSize: 8, normalization: .imageNet).architecture
        }
        var narrow50 = ResNetConfiguration.resnet50()
        narrow50.baseWidth = 2
        XCTAssertEqual(name(narrow50), "resnet50")
        XCTAssertEqual(name(ResNetConfiguration(block: .basic, layers: [1, 1, 1, 1], baseWidth: 2)), "custom")
    }
}
