import Augment
import TensorCore
import XCTest
@testable import CLSA

/// The released code's symmetric loss: the step adds the mirrored term, T as the query against
/// the keys of T′.
final class SymmetricLossTests: XCTestCase {
    /// The tiny fixture with whole-batch BatchNorm in both encoders, so that a key does not depend
    /// on the shuffle.
    private func configuration(symmetric: Bool, inBatchNegatives: Bool = false) -> PretrainingConfiguration {
        var c = PretrainingFixtures.tinyConfiguration()
        c.keyShuffleGroups = 1
        c.symmetric = symmetric
        c.inBatchNegatives = inBatchNegatives
        return c
    }

    /// (T, T′, S) for the fixture, drawn from `seed`.
    private func batches(seed: UInt64) -> (t: Tensor, tPrime: Tensor, strong: Tensor) {
        let views = PretrainingFixtures.views(for: configuration(symmetric: false), seed: seed)
        return (views[0], views[1], views[2])
    }

    /// The symmetric step's loss terms are those of a plain step on (T, T′) plus those of a plain
    /// step with the roles swapped, (T′, T), every trainer starting from the same weights.
    func testSymmetricLossAddsTheMirroredTerm() throws {
        for inBatch in [false, true] {
            let (t, tPrime, strong) = batches(seed: 3)
            let symmetric = try CLSATrainer(configuration: configuration(symmetric: true, inBatchNegatives: inBatch), stepsPerEpoch: 10)
            let forward = try CLSATrainer(configuration: configuration(symmetric: false, inBatchNegatives: inBatch), stepsPerEpoch: 10)
            let mirrored = try CLSATrainer(configuration: configuration(symmetric: false, inBatchNegatives: inBatch), stepsPerEpoch: 10)
            let both = try symmetric.step(views: [t, tPrime, strong])
            let one = try forward.step(views: [t, tPrime, strong])
            let other = try mirrored.step(views: [tPrime, t, strong])
            XCTAssertNotEqual(one.lossContrastive, other.lossContrastive, accuracy: 1e-4, "the two directions must differ for this test to mean anything")
            XCTAssertEqual(both.lossContrastive, one.lossContrastive + other.lossContrastive, accuracy: 1e-4)
            XCTAssertEqual(both.lossDivergence, one.lossDivergence + other.lossDivergence, accuracy: 1e-4)
            XCTAssertEqual(both.loss, one.loss + other.loss, accuracy: 1e-4)
        }
    }

    /// Only the keys of T enter the queue, as without `symmetric`.
    func testTheQueueTakesTheKeysOfT() throws {
        let (t, tPrime, strong) = batches(seed: 4)
        let symmetric = try CLSATrainer(configuration: configuration(symmetric: true), stepsPerEpoch: 10)
        let plain = try CLSATrainer(configuration: configuration(symmetric: false), stepsPerEpoch: 10)
        _ = try symmetric.step(views: [t, tPrime, strong])
        _ = try plain.step(views: [t, tPrime, strong])
        XCTAssertEqual(symmetric.queue.keys.scalars, plain.queue.keys.scalars, accuracy: 1e-5)
    }

    func testSymmetricIsValidatedAndComparedOnResume() {
        var ablation = configuration(symmetric: true)
        ablation.objective = .strongQuery
        XCTAssertThrowsError(try ablation.validate())
        var multiCrop = configuration(symmetric: true)
        multiCrop.weakSizes = [16, 12]
        XCTAssertThrowsError(try multiCrop.validate())
        XCTAssertNoThrow(try configuration(symmetric: true).validate())
        XCTAssertEqual(configuration(symmetric: false).resumeMismatches(with: configuration(symmetric: true, inBatchNegatives: true)),
                       ["in-batch negatives: checkpoint has true, this run has false",
                        "symmetric: checkpoint has true, this run has false"])
    }

    /// Configurations saved before these fields existed load with both off.
    func testOlderConfigurationsDecodeWithBothOff() throws {
        let decoded = try JSONDecoder().decode(PretrainingConfiguration.self, from: Data(#"{"epochs": 3}"#.utf8))
        XCTAssertFalse(decoded.symmetric)
        XCTAssertFalse(decoded.inBatchNegatives)
    }
}
