import GradientChecking
import XCTest
@testable import TensorCore

final class GradientCheckTests: XCTestCase {
    /// x² element-wise, with a backward that returns `factor`·x·dy — correct only for factor 2.
    private func square(_ x: Tensor, backwardFactor factor: Float) -> Tensor {
        let out = Tensor(uninitializedShape: x.shape)
        for i in 0..<x.count { out.data[i] = x.data[i] * x.data[i] }
        let target = x.gradientTarget
        return out.recordingGradient("square", inputs: [x]) { g in
            let dx = Tensor(uninitializedShape: x.shape)
            for i in 0..<x.count { dx.data[i] = factor * x.data[i] * g.data[i] }
            target?.accumulate(dx)
        }
    }

    func testCheckPassesACorrectBackwardAndFailsAWrongOne() {
        let x = seededTensor([6], seed: 1)
        let correct = GradientCheck.run(inputs: [x]) { t in square(t[0], backwardFactor: 2) }
        XCTAssertLessThan(correct[0].relativeError, 1e-3)
        // Analytic 3x·w against numeric 2x·w: error ‖x·w‖ / (3 + 2)‖x·w‖ = 0.2.
        let wrong = GradientCheck.run(inputs: [x]) { t in square(t[0], backwardFactor: 3) }
        XCTAssertEqual(wrong[0].relativeError, 0.2, accuracy: 1e-3)
    }
}
