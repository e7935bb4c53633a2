import Foundation
import XCTest
@testable import TensorCore

final class OpProfileTests: XCTestCase {
    override func tearDown() {
        if OpProfile.isEnabled { _ = OpProfile.stop() }
    }

    /// A 3×3 convolution of x [2, 3, 5, 5] to 4 channels (stride 1, padding 1) has
    /// 4·(2·3·3)·(3·5·5) = 5,400 multiply-adds; a [3, 4]·[4, 2] product has 24. Passes under
    /// `withoutGradients` count as not back-propagated.
    func testMultiplyAddsOfConvolutionsAndProducts() {
        var random = SeededRandom(seed: 1)
        func tensor(_ shape: [Int]) -> Tensor {
            Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in Float(random.normal()) })
        }
        let x = tensor([2, 3, 5, 5]), weight = tensor([4, 2, 3, 3]).requiringGradient()
        let a = tensor([3, 4]), b = tensor([4, 2]).requiringGradient()
        OpProfile.start()
        _ = conv2d(x, weight: weight, padding: 1)
        _ = withoutGradients { matmul(a, b) }
        XCTAssertEqual(OpProfile.multiplyAdds, 5_400 + 24)
        XCTAssertEqual(OpProfile.recordedMultiplyAdds, 5_400)
        _ = OpProfile.stop()
        _ = conv2d(x, weight: weight, padding: 1)
        XCTAssertEqual(OpProfile.multiplyAdds, 5_400 + 24, "nothing is counted while profiling is off")
    }

    /// Each loop on the worker pool is counted, and the calling thread's wait for a worker whose
    /// piece runs longer than its own is the join wait: a worker that sleeps 30 ms keeps the
    /// caller, whose piece returns at once, waiting about that long.
    func testParallelLoopsAndTheirJoinWaitAreCounted() {
        Threading.withThreadCount(2) {
            OpProfile.start()
            Threading.parallelChunks(2) { _, _ in }
            Threading.parallelChunks(2) { chunk, _ in
                if chunk == 1 { Thread.sleep(forTimeInterval: 0.03) }
            }
            XCTAssertEqual(OpProfile.parallelLoops, 2)
            XCTAssertGreaterThan(OpProfile.joinWaitSeconds, 0.02)
            _ = OpProfile.stop()
            Threading.parallelChunks(2) { _, _ in }
            XCTAssertEqual(OpProfile.parallelLoops, 2, "nothing is counted while profiling is off")
        }
    }

    /// A nested region's time goes to its own kind and none of it to the region around it; the
    /// kinds add up to the whole profiled time.
    func testNestedRegionsAreCountedOnce() {
        let clock = ContinuousClock()
        OpProfile.start()
        let started = clock.now
        OpProfile.measure(.optimizer) {
            Thread.sleep(forTimeInterval: 0.02)
            OpProfile.measure(.momentumUpdate) { Thread.sleep(forTimeInterval: 0.03) }
        }
        Thread.sleep(forTimeInterval: 0.01)
        let seconds = OpProfile.stop()
        let elapsed = clock.now - started
        let total = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        XCTAssertGreaterThanOrEqual(seconds[.momentumUpdate]!, 0.03)
        XCTAssertGreaterThanOrEqual(seconds[.optimizer]!, 0.02)
        XCTAssertLessThan(seconds[.optimizer]!, 0.03, "the optimiser's region must not include the nested 30 ms")
        XCTAssertGreaterThanOrEqual(seconds[.other]!, 0.01)
        XCTAssertEqual(seconds.values.reduce(0, +), total, accuracy: 0.005)
    }

    /// An op's forward span ends when it records itself, with gradients on or off.
    func testForwardSpansGoToTheRecordingOp() {
        let x = Tensor(shape: [4], scalars: [1, -2, 3, -4])
        OpProfile.start()
        Thread.sleep(forTimeInterval: 0.01)
        _ = withoutGradients { relu(x) }
        let seconds = OpProfile.stop()
        XCTAssertGreaterThanOrEqual(seconds[.elementwise]!, 0.01)
        XCTAssertEqual(OpProfile.Kind(operation: "batchNorm2d+relu"), .batchNorm)
        XCTAssertEqual(OpProfile.Kind(operation: "softCrossEntropy"), .loss)
        XCTAssertEqual(OpProfile.Kind(operation: "unknown"), .other)
    }
}
