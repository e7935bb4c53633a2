import Augment
import Foundation
import TensorCore
import XCTest
@testable import CLSA

/// Raw pixels as a feature source: the no-network floor through the same probe.
final class RawPixelsTests: XCTestCase {
    func testFeaturesAreTheNormalisedViewsFlattened() {
        let source = RawPixels(imageSize: 2, normalization: .imageNet)
        XCTAssertEqual(source.featureDimension, 12)
        let images = Tensor(shape: [2, 3, 2, 2], scalars: (0..<24).map(Float.init))
        let features = source.features(of: images)
        XCTAssertEqual(features.shape, [2, 12])
        XCTAssertEqual(features.scalars, images.scalars)
        XCTAssertNil(source.frozenModule)
        XCTAssertEqual(source.name, "raw-pixels")
    }

    /// Colour classes are linearly separable in pixel space: the standardised probe on raw
    /// pixels learns them.
    func testStandardizedProbeOnPixelsSeparatesColourClasses() throws {
        let configuration = EvaluationFixtures.standardizedProbe()
        let evaluation = try LinearEvaluation(backbone: RawPixels(imageSize: EvaluationFixtures.imageSize, normalization: .imageNet),
                                              train: try EvaluationFixtures.colourDataset(perClass: 16, seed: 1),
                                              validation: try EvaluationFixtures.colourDataset(perClass: 8, seed: 2),
                                              configuration: configuration)
        let result = try evaluation.run()
        XCTAssertGreaterThanOrEqual(result.final.top1, 90, "\(result.epochs.map(\.top1))")
    }

    func testLinearEvalCommandProbesRawPixels() throws {
        let folder = try EvaluationFixtures.temporaryFolder("raw-pixels")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try EvaluationFixtures.writeColourFolder(folder + "/train", perClass: 8, seed: 1)
        try EvaluationFixtures.writeColourFolder(folder + "/val", perClass: 4, seed: 2)
        let result = try ClsaExecutable.run(["linear-eval", "--raw-pixels", "16", "--train-data", folder + "/train",
                                             "--val-data", folder + "/val", "--epochs", "10", "--batch-size", "8",
                                             "--lr", "0.1", "--cached-features", "--standardized-features", "--workers", "1"])
        XCTAssertEqual(result.status, 0, result.standardError)
        XCTAssertTrue(result.standardOutput.contains("linear-eval: raw-pixels 768-d features at 16 px"), result.standardOutput)
        let both = try ClsaExecutable.run(["linear-eval", "--raw-pixels", "16", "--checkpoint", folder + "/x",
                                           "--train-data", folder + "/train", "--val-data", folder + "/val"])
        XCTAssertEqual(both.status, 2)
        XCTAssertTrue(both.standardError.contains("give exactly one of --checkpoint and --raw-pixels"), both.standardError)
    }
}
