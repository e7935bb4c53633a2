import Foundation
import GradientChecking
import TensorCore
import XCTest
@testable import CLSA

final class CLSAObjectiveTests: XCTestCase {
    /// One query q = (1, 0), key k = (0.6, 0.8), queue rows (1, 0) and (0, 1), τ = 0.5:
    /// logits = [q·k, q·Q₀, q·Q₁]/τ = [1.2, 2, 0], L_C = −1.2 + log(e^1.2 + e^2 + e^0).
    func testContrastiveLossByHand() {
        let q = Tensor(shape: [1, 2], scalars: [1, 0])
        let k = Tensor(shape: [1, 2], scalars: [0.6, 0.8])
        let queue = Tensor(shape: [2, 2], scalars: [1, 0, 0, 1])
        let logits = contrastiveLogits(query: q, positiveKeys: k, queue: queue, temperature: 0.5)
        XCTAssertEqual(logits.scalars, [1.2, 2, 0], accuracy: 1e-6)
        let value = CLSAObjective(temperature: 0.5, beta: 0)(weakQuery: q, strongQueries: [], keys: k, queue: queue)
        let expected = -1.2 + log(exp(1.2) + exp(2) + 1)
        XCTAssertEqual(Double(value.contrastive), expected, accuracy: 1e-5)
        XCTAssertEqual(Double(value.total.item), expected, accuracy: 1e-5)
        XCTAssertEqual(value.divergence, 0)
    }

    /// β = 0 is MoCo v2: strong views, even if passed, change nothing.
    func testBetaZeroIgnoresStrongViews() {
        let (q, k, queue) = randomProblem(n: 4, d: 8, k: 16, seed: 1)
        let strong = randomProblem(n: 4, d: 8, k: 16, seed: 2).0
        let moco = CLSAObjective(beta: 0)(weakQuery: q, strongQueries: [strong], keys: k, queue: queue)
        let plain = CLSAObjective(beta: 0)(weakQuery: q, strongQueries: [], keys: k, queue: queue)
        XCTAssertEqual(moco.total.item, plain.total.item)
    }

    /// When the strong query equals the weak one, L_D = −Σ p log p, the weak distribution's entropy.
    func testIdenticalViewsGiveTheWeakEntropy() {
        let (q, k, queue) = randomProblem(n: 3, d: 8, k: 10, seed: 3)
        let value = CLSAObjective(temperature: 0.2, beta: 1)(weakQuery: q, strongQueries: [q.copy()], keys: k, queue: queue)
        let p = softmax(contrastiveLogits(query: q, positiveKeys: k, queue: queue, temperature: 0.2))
        var entropy = 0.0
        for i in 0..<p.count where p.data[i] > 0 { entropy -= Double(p.data[i]) * log(Double(p.data[i])) }
        XCTAssertEqual(Double(value.divergence), entropy / 3, accuracy: 1e-4)
        XCTAssertEqual(Double(value.total.item), Double(value.contrastive) + entropy / 3, accuracy: 1e-4)
    }

    /// CLSA-Multi sums L_D over the strong views.
    func testDivergenceSumsOverStrongViews() {
        let (q, k, queue) = randomProblem(n: 2, d: 4, k: 6, seed: 4)
        let s1 = randomProblem(n: 2, d: 4, k: 6, seed: 5).0, s2 = randomProblem(n: 2, d: 4, k: 6, seed: 6).0
        let objective = CLSAObjective(beta: 1)
        let both = objective(weakQuery: q, strongQueries: [s1, s2], keys: k, queue: queue).divergence
        let one = objective(weakQuery: q, strongQueries: [s1], keys: k, queue: queue).divergence
        let two = objective(weakQuery: q, strongQueries: [s2], keys: k, queue: queue).divergence
        XCTAssertEqual(both, one + two, accuracy: 1e-5)
    }

    /// Finite differences of L_D with respect to the strong query, the weak distribution fixed.
    func testDivergenceGradientWithRespectToTheStrongQuery() {
        let (q, k, queue) = randomProblem(n: 3, d: 6, k: 12, seed: 7)
        let strong = randomProblem(n: 3, d: 6, k: 12, seed: 8).0.requiringGradient()
        let objective = CLSAObjective(temperature: 0.2, beta: 1)
        // Step 1e-2 on unit-scale inputs: truncation error O(h²·f‴) stays below float32 noise.
        let results = GradientCheck.run(inputs: [strong], step: 1e-2) { t in
            let full = objective(weakQuery: q, strongQueries: [t[0]], keys: k, queue: queue).total
            return full
        }
        XCTAssertLessThan(results[0].relativeError, 1e-2)
    }

    /// No gradient reaches the weak query through L_D: its gradient equals L_C's alone.
    func testWeakDistributionIsHeldFixed() {
        let (q0, k, queue) = randomProblem(n: 2, d: 4, k: 6, seed: 9)
        let strong = randomProblem(n: 2, d: 4, k: 6, seed: 10).0
        let q1 = q0.copy().requiringGradient(), q2 = q0.copy().requiringGradient()
        CLSAObjective(beta: 1)(weakQuery: q1, strongQueries: [strong], keys: k, queue: queue).total.backward()
        CLSAObjective(beta: 0)(weakQuery: q2, strongQueries: [], keys: k, queue: queue).total.backward()
        XCTAssertEqual(q1.gradient!.scalars, q2.gradient!.scalars, accuracy: 1e-6)
    }

    func testContrastiveLogitsGradient() {
        let (q, k, queue) = randomProblem(n: 3, d: 5, k: 7, seed: 11)
        q.requiringGradient()
        let results = GradientCheck.run(inputs: [q], step: 1e-2) { t in
            contrastiveLogits(query: t[0], positiveKeys: k, queue: queue, temperature: 0.2)
        }
        XCTAssertLessThan(results[0].relativeError, 1e-2)
    }

    /// Queries q₀ = (1, 0), q₁ = (0, 1), keys k₀ = (0.6, 0.8), k₁ = (1, 0), one queued key
    /// (0, −1), τ = 0.5: with in-batch negatives each row holds [q·k₀, q·k₁, q·Q₀]/τ and its
    /// positive is the row's own key.
    func testInBatchNegativesByHand() {
        let q = Tensor(shape: [2, 2], scalars: [1, 0, 0, 1])
        let k = Tensor(shape: [2, 2], scalars: [0.6, 0.8, 1, 0])
        let queue = Tensor(shape: [1, 2], scalars: [0, -1])
        let logits = contrastiveLogits(query: q, positiveKeys: k, queue: queue, temperature: 0.5, inBatchNegatives: true)
        XCTAssertEqual(logits.shape, [2, 3])
        XCTAssertEqual(logits.scalars, [1.2, 2, 0, 1.6, 0, -2], accuracy: 1e-6)
        XCTAssertEqual(contrastiveTargets(count: 2, inBatchNegatives: true), [0, 1])
        let value = CLSAObjective(temperature: 0.5, beta: 0, inBatchNegatives: true)(
            weakQuery: q, strongQueries: [], keys: k, queue: queue)
        let row0 = -1.2 + log(exp(1.2) + exp(2) + 1), row1 = -0.0 + log(exp(1.6) + 1 + exp(-2))
        XCTAssertEqual(Double(value.contrastive), (row0 + row1) / 2, accuracy: 1e-5)
    }

    /// The second rank's query q₁ = (0, 1) of the example above, against both ranks' keys:
    /// the same row, its positive at column `firstPositive` 1.
    func testInBatchNegativesOfTheGlobalBatchByHand() {
        let q = Tensor(shape: [1, 2], scalars: [0, 1])
        let k = Tensor(shape: [2, 2], scalars: [0.6, 0.8, 1, 0])
        let queue = Tensor(shape: [1, 2], scalars: [0, -1])
        let logits = contrastiveLogits(query: q, positiveKeys: k, queue: queue, temperature: 0.5, inBatchNegatives: true,
                                       firstPositive: 1)
        XCTAssertEqual(logits.shape, [1, 3])
        XCTAssertEqual(logits.scalars, [1.6, 0, -2], accuracy: 1e-6)
        XCTAssertEqual(contrastiveTargets(count: 1, inBatchNegatives: true, firstPositive: 1), [1])
        let value = CLSAObjective(temperature: 0.5, beta: 0, inBatchNegatives: true)(
            weakQuery: q, strongQueries: [], keys: k, queue: queue, firstPositive: 1)
        XCTAssertEqual(Double(value.contrastive), -0.0 + log(exp(1.6) + 1 + exp(-2)), accuracy: 1e-5)
    }

    /// Two queries against a bank of five keys (a rank's share of a global batch).
    func testInBatchLogitsOfTheGlobalBatchGradient() {
        let (q, _, queue) = randomProblem(n: 2, d: 5, k: 7, seed: 15)
        let keys = randomProblem(n: 5, d: 5, k: 1, seed: 16).1
        q.requiringGradient()
        let results = GradientCheck.run(inputs: [q], step: 1e-2) { t in
            contrastiveLogits(query: t[0], positiveKeys: keys, queue: queue, temperature: 0.2, inBatchNegatives: true,
                              firstPositive: 3)
        }
        XCTAssertLessThan(results[0].relativeError, 1e-2)
    }

    func testInBatchContrastiveLogitsGradient() {
        let (q, k, queue) = randomProblem(n: 3, d: 5, k: 7, seed: 12)
        q.requiringGradient()
        let results = GradientCheck.run(inputs: [q], step: 1e-2) { t in
            contrastiveLogits(query: t[0], positiveKeys: k, queue: queue, temperature: 0.2, inBatchNegatives: true)
        }
        XCTAssertLessThan(results[0].relativeError, 1e-2)
    }

    /// L_D over the in-batch bank, differentiated with respect to the strong query.
    func testInBatchDivergenceGradient() {
        let (q, k, queue) = randomProblem(n: 3, d: 6, k: 12, seed: 13)
        let strong = randomProblem(n: 3, d: 6, k: 12, seed: 14).0.requiringGradient()
        let objective = CLSAObjective(temperature: 0.2, beta: 1, inBatchNegatives: true)
        let results = GradientCheck.run(inputs: [strong], step: 1e-2) { t in
            objective(weakQuery: q, strongQueries: [t[0]], keys: k, queue: queue).total
        }
        XCTAssertLessThan(results[0].relativeError, 1e-2)
    }

    private func randomProblem(n: Int, d: Int, k: Int, seed: UInt64) -> (Tensor, Tensor, Tensor) {
        var random = SeededRandom(seed: seed)
        func unitRows(_ rows: Int) -> Tensor {
            l2Normalized(Tensor(shape: [rows, d], scalars: (0..<(rows * d)).map { _ in Float(random.normal()) }))
        }
        return (unitRows(n), unitRows(n), unitRows(k))
    }
}

func XCTAssertEqual(_ a: [Float], _ b: [Float], accuracy: Float, _ message: String = "",
                    file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, message, file: file, line: line)
    for (x, y) in zip(a, b) { XCTAssertEqual(x, y, accuracy: accuracy, message, file: file, line: line) }
}
