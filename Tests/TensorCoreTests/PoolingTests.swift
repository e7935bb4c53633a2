import GradientChecking
import XCTest
@testable import TensorCore

final class PoolingTests: XCTestCase {
    /// One 4×4 plane [1, 1, 4, 4] holding 1…16 in row-major order (times `scale`).
    func ramp(scale: Float = 1) -> Tensor {
        Tensor(shape: [1, 1, 4, 4], scalars: (1...16).map { Float($0) * scale }, requiresGradient: true)
    }

    func testMaxPoolHandWorked() {
        // k3 s2 p1 on 4×4: windows cover rows/cols {0,1}, {1,2,3} ⇒ maxima at (1,1), (1,3), (3,1), (3,3).
        let x = ramp()
        let y = maxPool2d(x)
        XCTAssertEqual(y.shape, [1, 1, 2, 2])
        XCTAssertEqual(y.scalars, [6, 8, 14, 16])
        y.backward(seed: Tensor(shape: [1, 1, 2, 2], scalars: [1, 2, 3, 4]))
        XCTAssertEqual(x.gradient?.scalars, [0, 0, 0, 0, 0, 1, 0, 2, 0, 0, 0, 0, 0, 3, 0, 4])
    }

    func testMaxPoolPaddingIsNegativeInfinity() {
        // All inputs negative: zero padding would win, −∞ padding never does.
        XCTAssertEqual(maxPool2d(ramp(scale: -1)).scalars, [-1, -2, -5, -6])
    }

    func testMaxPoolSharedMaximumCollectsEveryGradient() {
        var values = [Float](repeating: 0, count: 16)
        values[5] = 9  // (1, 1) lies in all four windows
        let x = Tensor(shape: [1, 1, 4, 4], scalars: values, requiresGradient: true)
        let y = maxPool2d(x)
        XCTAssertEqual(y.scalars, [9, 9, 9, 9])
        y.backward(seed: Tensor(shape: [1, 1, 2, 2], scalars: [1, 2, 3, 4]))
        XCTAssertEqual(x.gradient?.scalars[5], 10)
        XCTAssertEqual(x.gradient?.scalars.reduce(0, +), 10)
    }

    func testMaxPoolTiesGoToTheFirstMaximum() {
        // All equal on 3×3: each window's first element in row-major order wins.
        let x = Tensor(shape: [1, 1, 3, 3], repeating: 1, requiresGradient: true)
        let y = maxPool2d(x)
        XCTAssertEqual(y.shape, [1, 1, 2, 2])
        y.backward(seed: Tensor(shape: [1, 1, 2, 2], repeating: 1))
        XCTAssertEqual(x.gradient?.scalars, [1, 1, 0, 1, 1, 0, 0, 0, 0])
    }

    func testMaxPoolOtherWindowAndNaN() {
        // k2 s2 p0 on 4×4 [1…16]: maxima 6, 8, 14, 16; a NaN propagates to its window only.
        var values = (1...16).map(Float.init)
        values[0] = .nan
        let y = maxPool2d(Tensor(shape: [1, 1, 4, 4], scalars: values), kernelSize: 2, stride: 2, padding: 0)
        XCTAssertTrue(y.scalars[0].isNaN)
        XCTAssertEqual(Array(y.scalars[1...]), [8, 14, 16])
    }

    func testMaxPoolKeepsPlanesApart() {
        // [C=2, N=3, 2, 2] with k2 s2 p0: each plane pools to its own maximum.
        let x = Tensor(shape: [2, 3, 2, 2], scalars: (0..<24).map { Float(($0 * 7) % 24) })
        let expected = (0..<6).map { p in (0..<4).map { Float(((p * 4 + $0) * 7) % 24) }.max()! }
        XCTAssertEqual(maxPool2d(x, kernelSize: 2, stride: 2, padding: 0).scalars, expected)
    }

    func testMaxPoolGradientCheck() {
        // Distinct values 0.05 apart and a step of 1e-2: no perturbation changes a window's
        // argmax, so the pooling is locally linear and the differences exact up to rounding.
        var random = SeededRandom(seed: 3)
        let count = 2 * 3 * 7 * 6
        let values = Array(0..<count).shuffled(using: &random).map { Float($0) * 0.05 }
        let x = Tensor(shape: [2, 3, 7, 6], scalars: values, requiresGradient: true)
        let result = GradientCheck.run(inputs: [x], step: 1e-2) { t in maxPool2d(t[0]) }
        XCTAssertLessThan(result[0].relativeError, 1e-3)
    }

    func testGlobalAveragePoolHandWorkedAndTransposed() {
        // x [C=2, N=3, 1, 2]: out[n, c] = mean of plane (c, n).
        let x = Tensor(shape: [2, 3, 1, 2], scalars: [1, 3, 5, 7, 9, 11, 2, 4, 6, 8, 10, 12], requiresGradient: true)
        let y = globalAveragePool(x)
        XCTAssertEqual(y.shape, [3, 2])
        XCTAssertEqual(y.scalars, [2, 3, 6, 7, 10, 11])
        y.backward(seed: Tensor(shape: [3, 2], scalars: [1, 2, 3, 4, 5, 6]))
        XCTAssertEqual(x.gradient?.scalars, [0.5, 0.5, 1.5, 1.5, 2.5, 2.5, 1, 1, 2, 2, 3, 3])
    }

    func testGlobalAveragePoolGradientCheck() {
        // Linear: step 1e-2 and tolerance 1e-3 as for the convolution.
        let x = Tensor.seededNormal([3, 2, 4, 5], seed: 8, requiresGradient: true)
        let results = GradientCheck.run(inputs: [x], step: 1e-2) { t in
            globalAveragePool(t[0]) + globalAveragePool(t[0])
        }
        XCTAssertLessThan(results[0].relativeError, 1e-3)
    }
}

/// max-pool against a plain reference over clipped windows, on inputs large enough for the
/// unclipped interior path and its eight-window lanes (stride 1 and 2, rows of 9–40 px), with
/// many ties (few distinct values) and NaNs.
final class MaxPoolReferenceTests: XCTestCase {
    func testMatchesPlainReferenceIncludingTiesAndNaN() {
        var random = SeededRandom(seed: 3)
        for (kernel, stride, padding) in [(3, 2, 1), (3, 1, 1), (2, 2, 0)] {
            for (h, w) in [(9, 11), (8, 8), (7, 13), (6, 40), (5, 37)] {
                let (c, n) = (2, 3)
                var values = (0..<(c * n * h * w)).map { _ in Float(random.integer(in: 0...4)) }
                for index in [17, values.count / 2, values.count / 2 + 2] { values[index] = .nan }
                let x = Tensor(shape: [c, n, h, w], scalars: values, requiresGradient: true)
                let y = maxPool2d(x, kernelSize: kernel, stride: stride, padding: padding)
                let (oh, ow) = ((h + 2 * padding - kernel) / stride + 1, (w + 2 * padding - kernel) / stride + 1)
                let name = "k\(kernel) s\(stride) p\(padding) \(h)×\(w)"
                XCTAssertEqual(y.shape, [c, n, oh, ow], name)
                var expectedGradient = [Float](repeating: 0, count: values.count)
                for plane in 0..<(c * n) {
                    for i in 0..<oh {
                        for j in 0..<ow {
                            var best = -Float.infinity, bestIndex = -1
                            let (top, left) = (stride * i - padding, stride * j - padding)
                            for r in max(0, top)..<min(h, top + kernel) {
                                for s in max(0, left)..<min(w, left + kernel) {
                                    let index = plane * h * w + r * w + s
                                    if bestIndex < 0 || values[index] > best || values[index].isNaN {
                                        best = values[index]
                                        bestIndex = index
                                    }
                                }
                            }
                            let got = y.data[plane * oh * ow + i * ow + j]
                            XCTAssertTrue(got == best || (got.isNaN && best.isNaN), "\(name) plane \(plane) (\(i), \(j))")
                            expectedGradient[bestIndex] += 1
                        }
                    }
                }
                y.backward(seed: Tensor(shape: y.shape, repeating: 1))
                XCTAssertEqual(x.gradient!.scalars, expectedGradient, "\(name) gradient routing")
            }
        }
    }
}
