import Augment
import TensorCore
import XCTest
@testable import CLSA

/// The released code's multi-crop variant: each weak query adds its L_C and its L_D terms.
final class WeakSizesTests: XCTestCase {
    private func configuration(weakSizes: [Int]?) -> PretrainingConfiguration {
        var c = PretrainingConfiguration()
        c.architecture = .resnet18Small
        c.baseWidth = 4
        c.imageSize = 16
        c.strongSizes = [8]
        c.weakSizes = weakSizes
        c.batchSize = 4
        c.queueSize = 16
        c.keyShuffleGroups = 2
        return c
    }

    /// Two weak queries fed the same view tensor give exactly twice each loss term of one.
    func testEachWeakQueryAddsItsTerms() throws {
        var random = SeededRandom(seed: 2)
        func batch(_ side: Int) -> Tensor {
            Tensor(shape: [4, 3, side, side], scalars: (0..<(4 * 3 * side * side)).map { _ in Float(random.normal()) })
        }
        let key = batch(16), weak = batch(16), strong = batch(8)
        let single = try CLSATrainer(configuration: configuration(weakSizes: nil), stepsPerEpoch: 10)
        let double = try CLSATrainer(configuration: configuration(weakSizes: [16, 16]), stepsPerEpoch: 10)
        let one = try single.step(views: [key, weak, strong])
        let two = try double.step(views: [key, weak, weak, strong])
        XCTAssertEqual(two.lossContrastive, 2 * one.lossContrastive, accuracy: 1e-4)
        XCTAssertEqual(two.lossDivergence, 2 * one.lossDivergence, accuracy: 1e-4)
        XCTAssertEqual(two.loss, 2 * one.loss, accuracy: 1e-4)
    }

    func testWeakSizesAreValidatedAndComparedOnResume() {
        var bad = configuration(weakSizes: [4])
        XCTAssertThrowsError(try bad.validate())
        bad.weakSizes = [16, 12]
        XCTAssertEqual(configuration(weakSizes: nil).resumeMismatches(with: bad),
                       ["weak sizes: checkpoint has [16, 12], this run has [16]"])
    }
}
