import XCTest
@testable import TensorCore

final class CrossEntropyTests: XCTestCase {
    func testClassTargetsByHand() {
        // Row 0: logits [0, 0], target 0 → softmax [1/2, 1/2], loss ln 2.
        // Row 1: logits [ln 3, 0], target 1 → softmax [3/4, 1/4], loss ln 4.
        // Mean: (ln 2 + ln 4)/2 = 1.5·ln 2 = 1.0397208.
        // Gradient (softmax − onehot)/N: row 0 [−1/2, 1/2]/2, row 1 [3/4, −3/4]/2.
        let logits = Tensor(shape: [2, 2], scalars: [0, 0, Float(log(3.0)), 0], requiresGradient: true)
        let loss = crossEntropy(logits: logits, targets: [0, 1])
        XCTAssertEqual(loss.shape, [1])
        XCTAssertEqual(loss.item, 1.0397208, accuracy: 1e-6)
        loss.backward()
        assertElementsEqual(logits.gradient!, [-0.25, 0.25, 0.375, -0.375], accuracy: 1e-6)
    }

    func testLargeLogitsStayFinite() {
        // −log softmax([1000, −1000])₁ = 2000 exactly; a naive exp would give inf/NaN.
        let loss = crossEntropy(logits: Tensor(shape: [1, 2], scalars: [1000, -1000]), targets: [1])
        XCTAssertEqual(loss.item, 2000, accuracy: 1e-3)
    }

    func testSoftTargetsOfTheModelItselfGiveItsEntropy() {
        // −Σ p·log softmax(z) with p = softmax(z) is −Σ p·log p, the entropy of p.
        let logits = seededTensor([4, 7], seed: 1, scale: 2, requiresGradient: false)
        let p = softmax(logits)
        let entropy = (0..<p.count).reduce(0.0) { $0 - Double(p.data[$1]) * log(Double(p.data[$1])) } / 4
        XCTAssertEqual(Double(softCrossEntropy(logits: logits, targetProbabilities: p).item), entropy, accuracy: 1e-5)
    }

    func testOneHotSoftTargetsMatchClassTargets() {
        let logits = seededTensor([3, 5], seed: 2, scale: 2)
        let targets = [4, 0, 2]
        let oneHot = Tensor(zeros: [3, 5])
        for (row, target) in targets.enumerated() { oneHot.data[row * 5 + target] = 1 }
        let hard = crossEntropy(logits: logits, targets: targets)
        hard.backward()
        let hardGradient = logits.gradient!.scalars
        logits.gradient = nil
        let soft = softCrossEntropy(logits: logits, targetProbabilities: oneHot)
        soft.backward()
        XCTAssertEqual(soft.item, hard.item, accuracy: 1e-6)
        assertElementsEqual(logits.gradient!, hardGradient, accuracy: 1e-7)
    }

    func testTargetsReceiveNoGradient() {
        let logits = seededTensor([2, 3], seed: 3)
        let targets = softmax(seededTensor([2, 3], seed: 4))
        softCrossEntropy(logits: logits, targetProbabilities: targets).backward()
        XCTAssertNotNil(logits.gradient)
        XCTAssertNil(targets.gradient)
    }

    func testGradientChecks() {
        let logits = seededTensor([4, 6], seed: 5, scale: 2)
        assertGradientsMatch([logits]) { t in crossEntropy(logits: t[0], targets: [5, 0, 3, 3]) }
        let p = softmax(seededTensor([4, 6], seed: 6, requiresGradient: false))
        assertGradientsMatch([logits]) { t in softCrossEntropy(logits: t[0], targetProbabilities: p) }
    }
}
