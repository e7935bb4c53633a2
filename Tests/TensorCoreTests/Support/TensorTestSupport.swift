import GradientChecking
import XCTest
@testable import TensorCore

/// A tensor of `shift + scale·N(0, 1)` values drawn from `SeededRandom(seed:)`.
func seededTensor(_ shape: [Int], seed: UInt64, scale: Float = 1, shift: Float = 0,
                  requiresGradient: Bool = true) -> Tensor {
    var random = SeededRandom(seed: seed)
    return Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in shift + scale * Float(random.normal()) },
                  requiresGradient: requiresGradient)
}

/// Runs `GradientCheck` on `function` at `inputs` and asserts every input's relative error is
/// below `tolerance`.
///
/// The defaults suit O(1) inputs and outputs: at step 1e-2 the central difference's truncation
/// error (∝ step²·curvature) and float32 rounding (≈ ε·|L|/step ≈ 1e-4 of L) leave the ops here
/// at relative errors of 1e-6…5e-5, so 1e-3 has a 20× margin yet still fails a backward pass
/// with one term off by 10% (the batch-norm statistics term was tried).
func assertGradientsMatch(_ inputs: [Tensor], step: Double = 1e-2, tolerance: Double = 1e-3,
                          file: StaticString = #filePath, line: UInt = #line,
                          _ function: ([Tensor]) -> Tensor) {
    let results = GradientCheck.run(inputs: inputs, step: step, function)
    for (index, result) in results.enumerated() {
        XCTAssertLessThan(result.relativeError, tolerance, "input \(index)", file: file, line: line)
        XCTAssertGreaterThan(result.checkedEntries, 0, "input \(index)", file: file, line: line)
    }
}

/// Asserts equal shapes and element-wise |actual − expected| ≤ accuracy.
func assertElementsEqual(_ actual: Tensor, _ expected: [Float], accuracy: Float,
                         file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(actual.count, expected.count, "element count", file: file, line: line)
    for (index, (a, e)) in zip(actual.scalars, expected).enumerated() {
        XCTAssertEqual(a, e, accuracy: accuracy, "element \(index)", file: file, line: line)
    }
}
