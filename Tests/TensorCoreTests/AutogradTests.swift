import GradientChecking
import XCTest
@testable import TensorCore

final class AutogradTests: XCTestCase {
    func testProductRuleAndAccumulationAcrossUses() {
        let a = Tensor(shape: [3], scalars: [1, -2, 3], requiresGradient: true)
        let b = Tensor(shape: [3], scalars: [4, 5, -6], requiresGradient: true)
        // L = Σ (a⊙b + a) ⇒ dL/da = b + 1, dL/db = a.
        ((a * b) + a).sum().backward()
        XCTAssertEqual(a.gradient?.scalars, [5, 6, -5])
        XCTAssertEqual(b.gradient?.scalars, [1, -2, 3])
    }

    func testGradientsAccumulateOverBackwardCalls() {
        let a = Tensor(shape: [2], scalars: [1, 2], requiresGradient: true)
        (a * 3).sum().backward()
        (a * 3).sum().backward()
        XCTAssertEqual(a.gradient?.scalars, [6, 6])
    }

    func testNoGradientScopeRecordsNothing() {
        let a = Tensor(shape: [2], scalars: [1, 2], requiresGradient: true)
        let y = withoutGradients { a * 2 }
        XCTAssertFalse(y.requiresGradient)
        XCTAssertTrue(GradientMode.isEnabled)
    }

    func testDetachStopsTheGradient() {
        let a = Tensor(shape: [2], scalars: [1, 2], requiresGradient: true)
        ((a * a.detached()).sum()).backward()
        XCTAssertEqual(a.gradient?.scalars, [1, 2])
    }

    func testMeanAndReshapeGradients() {
        let a = Tensor(shape: [2, 2], scalars: [1, 2, 3, 4], requiresGradient: true)
        a.reshaped([4]).mean().backward()
        XCTAssertEqual(a.gradient?.scalars, [0.25, 0.25, 0.25, 0.25])
        XCTAssertEqual(a.gradient?.shape, [2, 2])
    }

    func testGradientCheckPassesArithmetic() {
        var r = SeededRandom(seed: 1)
        let a = Tensor(shape: [5], scalars: (0..<5).map { _ in Float(r.normal()) }, requiresGradient: true)
        let b = Tensor(shape: [5], scalars: (0..<5).map { _ in Float(r.normal()) }, requiresGradient: true)
        let results = GradientCheck.run(inputs: [a, b]) { t in (t[0] * t[1] - t[0] * 0.5).sum() }
        for result in results { XCTAssertLessThan(result.relativeError, 1e-3) }
    }
}
