import XCTest
@testable import TensorCore

final class MatrixMultiplicationTests: XCTestCase {
    /// op(a)·op(b) by the definition, as the oracle for sgemm.
    private func naiveProduct(_ a: Tensor, _ b: Tensor, transposeA: Bool, transposeB: Bool) -> [Float] {
        func element(_ t: Tensor, _ row: Int, _ column: Int, _ transposed: Bool) -> Float {
            transposed ? t.data[column * t.shape[1] + row] : t.data[row * t.shape[1] + column]
        }
        let m = transposeA ? a.shape[1] : a.shape[0], k = transposeA ? a.shape[0] : a.shape[1]
        let n = transposeB ? b.shape[0] : b.shape[1]
        return (0..<m).flatMap { i in
            (0..<n).map { j in
                (0..<k).reduce(Float(0)) { $0 + element(a, i, $1, transposeA) * element(b, $1, j, transposeB) }
            }
        }
    }

    private let transposeCases = [(false, false), (true, false), (false, true), (true, true)]

    func testProductByHand() {
        // [[1, 2], [3, 4]]·[[5, 6], [7, 8]] = [[19, 22], [43, 50]].
        let a = Tensor(shape: [2, 2], scalars: [1, 2, 3, 4]), b = Tensor(shape: [2, 2], scalars: [5, 6, 7, 8])
        XCTAssertEqual(matmul(a, b).scalars, [19, 22, 43, 50])
        // Aᵀ·B = [[1, 3], [2, 4]]·B = [[26, 30], [38, 44]].
        XCTAssertEqual(matmul(a, b, transposeA: true).scalars, [26, 30, 38, 44])
    }

    func testEveryTransposeCaseMatchesTheDefinition() {
        for (transposeA, transposeB) in transposeCases {
            let a = seededTensor(transposeA ? [4, 3] : [3, 4], seed: 1)
            let b = seededTensor(transposeB ? [5, 4] : [4, 5], seed: 2)
            let product = matmul(a, b, transposeA: transposeA, transposeB: transposeB)
            XCTAssertEqual(product.shape, [3, 5])
            assertElementsEqual(product, naiveProduct(a, b, transposeA: transposeA, transposeB: transposeB),
                                accuracy: 1e-5)
        }
    }

    func testGradientCheckInEveryTransposeCase() {
        for (transposeA, transposeB) in transposeCases {
            let a = seededTensor(transposeA ? [4, 3] : [3, 4], seed: 3)
            let b = seededTensor(transposeB ? [5, 4] : [4, 5], seed: 4)
            assertGradientsMatch([a, b]) { t in
                matmul(t[0], t[1], transposeA: transposeA, transposeB: transposeB)
            }
        }
    }

    func testSameOperandTwiceAccumulatesBothGradients() {
        // L = Σ (AᵀA) = Σ_i (Σ_j a_ij)² ⇒ dL/da_ij = 2·Σ_k a_ik: rows sum to 3 and 7.
        let a = Tensor(shape: [2, 2], scalars: [1, 2, 3, 4], requiresGradient: true)
        matmul(a, a, transposeA: true).sum().backward()
        XCTAssertEqual(a.gradient?.scalars, [6, 6, 14, 14])
    }
}
