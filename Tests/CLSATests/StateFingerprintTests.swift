import TensorCore
import XCTest
@testable import CLSA

final class StateFingerprintTests: XCTestCase {
    func testDetectsAModifiedWeightRunningStatisticOrCounter() {
        let backbone = EvaluationFixtures.tinyBackbone()
        let network = backbone.network
        let before = StateFingerprint(of: network)
        XCTAssertNoThrow(try before.verifyUnchanged(network))

        let block = network.stages[1][0] as! BasicBlock
        block.conv2.weight.data[7] += 1e-6
        XCTAssertThrowsError(try before.verifyUnchanged(network)) { error in
            XCTAssertEqual(error as? EvaluationError, .backboneChanged(["layer2.0.conv2.weight"]))
        }
        block.conv2.weight.data[7] -= 1e-6
        network.bn1.runningMean.data[0] = 0.25
        network.stages[3][1].batchNormLayers[0].numBatchesTracked.value += 1
        XCTAssertEqual(StateFingerprint(of: network).changedEntries(comparedTo: before),
                       ["bn1.running_mean", "layer4.1.bn1.num_batches_tracked"])
    }
}
