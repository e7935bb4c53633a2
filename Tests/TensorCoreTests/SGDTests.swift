import XCTest
@testable import TensorCore

final class SGDTests: XCTestCase {
    /// Hand values (lr 0.1, μ 0.9, λ 0.01, p₀ = 1, g = 0.5 on both steps):
    /// step 1: d = 0.5 + 0.01·1 = 0.51, b = 0.51, p = 1 − 0.1·0.51 = 0.949
    /// step 2: d = 0.5 + 0.01·0.949 = 0.50949, b = 0.9·0.51 + 0.50949 = 0.96849, p = 0.949 − 0.096849 = 0.852151
    func testMomentumAndWeightDecayMatchPyTorch() {
        let p = Tensor(shape: [1], scalars: [1], requiresGradient: true)
        let sgd = SGD(parameters: [("w", p)], learningRate: 0.1, momentum: 0.9, weightDecay: 0.01)
        p.gradient = Tensor(shape: [1], scalars: [0.5])
        sgd.step()
        XCTAssertEqual(p.item, 0.949, accuracy: 1e-6)
        p.gradient = Tensor(shape: [1], scalars: [0.5])
        sgd.step()
        XCTAssertEqual(p.item, 0.852151, accuracy: 1e-6)
        XCTAssertEqual(sgd.momentumBuffers[0]!.item, 0.96849, accuracy: 1e-6)
    }

    /// Nesterov step 1: d = 0.51, b = 0.51, update d + μ·b = 0.969, p = 1 − 0.0969 = 0.9031.
    func testNesterov() {
        let p = Tensor(shape: [1], scalars: [1], requiresGradient: true)
        let sgd = SGD(parameters: [("w", p)], learningRate: 0.1, momentum: 0.9, weightDecay: 0.01, nesterov: true)
        p.gradient = Tensor(shape: [1], scalars: [0.5])
        sgd.step()
        XCTAssertEqual(p.item, 0.9031, accuracy: 1e-6)
    }

    /// An excluded parameter gets no decay: p = 1 − 0.1·0.5 = 0.95.
    func testWeightDecayExclusionByName() {
        let w = Tensor(shape: [1], scalars: [1], requiresGradient: true)
        let b = Tensor(shape: [1], scalars: [1], requiresGradient: true)
        let sgd = SGD(parameters: [("fc.weight", w), ("fc.bias", b)], learningRate: 0.1, momentum: 0.9,
                      weightDecay: 0.01, excludedFromWeightDecay: { $0.hasSuffix(".bias") })
        w.gradient = Tensor(shape: [1], scalars: [0.5])
        b.gradient = Tensor(shape: [1], scalars: [0.5])
        sgd.step()
        XCTAssertEqual(w.item, 0.949, accuracy: 1e-6)
        XCTAssertEqual(b.item, 0.95, accuracy: 1e-6)
    }

    func testParametersWithoutGradientAreUntouched() {
        let p = Tensor(shape: [2], scalars: [1, 2], requiresGradient: true)
        let sgd = SGD(parameters: [("w", p)], learningRate: 0.1, momentum: 0.9, weightDecay: 0.1)
        sgd.step()
        XCTAssertEqual(p.scalars, [1, 2])
        XCTAssertNil(sgd.momentumBuffers[0])
    }
}

final class CosineScheduleTests: XCTestCase {
    func testCosineDecayWithoutWarmup() {
        let s = CosineSchedule(baseRate: 0.4, totalSteps: 100)
        XCTAssertEqual(s.rate(atStep: 0), 0.4, accuracy: 1e-12)
        XCTAssertEqual(s.rate(atStep: 50), 0.2, accuracy: 1e-12)       // cos(π/2) = 0
        XCTAssertEqual(s.rate(atStep: 25), 0.2 * (1 + 0.5.squareRoot()), accuracy: 1e-12)
        XCTAssertEqual(s.rate(atStep: 100), 0, accuracy: 1e-12)
    }

    func testLinearWarmupThenCosine() {
        let s = CosineSchedule(baseRate: 1, totalSteps: 110, warmupSteps: 10)
        XCTAssertEqual(s.rate(atStep: 0), 0.1, accuracy: 1e-12)
        XCTAssertEqual(s.rate(atStep: 9), 1.0, accuracy: 1e-12)
        XCTAssertEqual(s.rate(atStep: 10), 1.0, accuracy: 1e-12)
        XCTAssertEqual(s.rate(atStep: 60), 0.5, accuracy: 1e-12)
    }
}
