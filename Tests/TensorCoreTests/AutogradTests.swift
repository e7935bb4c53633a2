import Foundation
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

    /// The setting is the calling thread's: a thread inside `withoutGradients` leaves another
    /// thread recording (replicas on threads build their graphs side by side).
    func testNoGradientScopeBelongsToItsThread() {
        let inside = DispatchSemaphore(value: 0), checked = DispatchSemaphore(value: 0)
        let other = Thread {
            withoutGradients {
                inside.signal()
                checked.wait()
            }
        }
        other.start()
        inside.wait()
        let a = Tensor(shape: [2], scalars: [1, 2], requiresGradient: true)
        XCTAssertTrue(GradientMode.isEnabled)
        XCTAssertTrue((a * 2).requiresGradient)
        checked.signal()
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

    /// The graph holds gradient slots, not tensors: an intermediate that no backward rule reads
    /// (here the inputs of `+` and `relu`, which need only the output's gradient and values) is
    /// freed when the forward pass drops it, not kept until `backward()`.
    func testTheGraphKeepsOnlyWhatBackwardRulesRead() {
        let x = Tensor(shape: [4], scalars: [1, -2, 3, -4], requiresGradient: true)
        weak var scaled: TensorStorage?, summed: TensorStorage?
        let loss: Tensor = {
            let h = x * 2
            scaled = h.storage
            let s = h + x
            summed = s.storage
            return relu(s + x).sum()
        }()
        XCTAssertNil(scaled, "the input of + was kept alive by the graph")
        XCTAssertNil(summed, "the input of + was kept alive by the graph")
        loss.backward()
        // relu((2x + x) + x) = relu(4x): d/dx = 4 where x > 0, 0 elsewhere.
        XCTAssertEqual(x.gradient?.scalars, [4, 0, 4, 0])
    }

    /// `backward()` frees what a rule saved as soon as that rule has run, before the rules of
    /// earlier operations: a network's saved activations do not all stay until the end.
    func testBackwardFreesSavedActivationsAsItGoes() {
        let x = Tensor(shape: [3], scalars: [1, 2, 3], requiresGradient: true)
        weak var saved: TensorStorage?
        var freedBeforeTheEarlierRule: Bool?
        let loss: Tensor = {
            // An identity whose rule, run after mul's, looks whether mul's saved input is gone.
            let p = Tensor(shape: x.shape, scalars: x.scalars)
            let target = x.gradientTarget
            p.recordingGradient("observe", inputs: [x]) { g in
                freedBeforeTheEarlierRule = saved == nil
                target?.accumulate(g.copy())
            }
            saved = p.storage
            return (p * p).sum()
        }()
        XCTAssertNotNil(saved, "mul's rule reads its inputs, so the graph must keep them")
        loss.backward()
        XCTAssertEqual(freedBeforeTheEarlierRule, true)
        XCTAssertEqual(x.gradient?.scalars, [2, 4, 6])
    }
}
