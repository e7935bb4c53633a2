import Benchmarking
import XCTest
@testable import TensorCore

final class GEMMTests: XCTestCase {
    /// Every transpose combination, with padded leading dimensions (ldc > n), α ≠ 1 and β ≠ 0,
    /// against a Double-precision triple loop. The padding must stay untouched.
    func testSgemmMatchesNaiveProduct() {
        checkAgainstNaiveProduct(m: 5, n: 7, k: 6)
    }

    private func checkAgainstNaiveProduct(m: Int, n: Int, k: Int) {
        var random = SeededRandom(seed: 7)
        let pad = 3
        let alpha: Float = 1.5, beta: Float = -0.5
        for transposeA in [false, true] {
            for transposeB in [false, true] {
                // Stored shapes: A is m×k (k×m when transposed), B is k×n (n×k when transposed).
                let (aRows, aCols) = transposeA ? (k, m) : (m, k)
                let (bRows, bCols) = transposeB ? (n, k) : (k, n)
                let lda = aCols + pad, ldb = bCols + pad, ldc = n + pad
                let a = (0..<(aRows * lda)).map { _ in Float(random.normal()) }
                let b = (0..<(bRows * ldb)).map { _ in Float(random.normal()) }
                var c = (0..<(m * ldc)).map { _ in Float(random.normal()) }
                let before = c
                sgemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                      alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: &c, ldc: ldc)
                for i in 0..<m {
                    for j in 0..<ldc {
                        guard j < n else {
                            XCTAssertEqual(c[i * ldc + j], before[i * ldc + j], "padding (\(i), \(j))")
                            continue
                        }
                        var sum = 0.0
                        for p in 0..<k {
                            let aip = transposeA ? a[p * lda + i] : a[i * lda + p]
                            let bpj = transposeB ? b[j * ldb + p] : b[p * ldb + j]
                            sum += Double(aip) * Double(bpj)
                        }
                        let expected = Double(alpha) * sum + Double(beta) * Double(before[i * ldc + j])
                        XCTAssertEqual(Double(c[i * ldc + j]), expected, accuracy: 1e-5 * max(1, abs(expected)),
                                       "transposeA \(transposeA) transposeB \(transposeB) (\(i), \(j))")
                    }
                }
            }
        }
    }

    func testEmptyInnerDimensionScalesC() {
        var c: [Float] = [1, 2, 3, 4]
        let none: [Float] = [0]
        sgemm(m: 2, n: 2, k: 0, a: none, lda: 1, b: none, ldb: 2, beta: 2, c: &c, ldc: 2)
        XCTAssertEqual(c, [2, 4, 6, 8])
        sgemm(m: 2, n: 2, k: 0, a: none, lda: 1, b: none, ldb: 2, c: &c, ldc: 2)
        XCTAssertEqual(c, [0, 0, 0, 0])
    }

    func testBenchmarkMeasuresASmallShape() {
        let shape = GEMMShape(m: 8, k: 16, n: 32)
        XCTAssertEqual(shape.description, "8x16x32")
        XCTAssertEqual(shape.flops, 8192)
        let measurement = GEMMBenchmark.measure(shape, warmups: 1, repetitions: 3)
        XCTAssertEqual(measurement.timing.samples.count, 3)
        XCTAssertTrue(measurement.timing.samples.allSatisfy { $0 > 0 && $0.isFinite }, "\(measurement.timing.samples)")
        XCTAssertEqual(measurement.bestGigaflops, shape.flops / measurement.timing.samples.min()! / 1e9)
    }

    func testTimingSummaryBestAndMedian() {
        XCTAssertEqual(TimingSummary(samples: [3, 1, 2]).median, 2)
        XCTAssertEqual(TimingSummary(samples: [4, 1, 2, 3]).median, 2.5)
        XCTAssertEqual(TimingSummary(samples: [4, 1, 2, 3]).best, 1)
    }
}
