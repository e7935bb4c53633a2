import GradientChecking
import XCTest
@testable import TensorCore

/// The Winograd F(2×2, 3×3) path of `conv2d` against the direct convolution, finite
/// differences and the im2col path, and each of its tile transforms against its adjoint.
final class WinogradConvolutionTests: XCTestCase {
    typealias Case = ConvolutionTests.Case

    /// Even and odd sizes (a last tile cut in half), single-pixel and single-tile images, more
    /// outputs than inputs and fewer.
    static let cases: [Case] = [
        Case(batch: 2, inChannels: 4, height: 6, width: 8, outChannels: 5, kernel: 3, stride: 1, padding: 1),
        Case(batch: 3, inChannels: 3, height: 7, width: 5, outChannels: 2, kernel: 3, stride: 1, padding: 1),
        Case(batch: 1, inChannels: 2, height: 1, width: 1, outChannels: 3, kernel: 3, stride: 1, padding: 1),
        Case(batch: 2, inChannels: 5, height: 2, width: 3, outChannels: 4, kernel: 3, stride: 1, padding: 1),
        Case(batch: 4, inChannels: 6, height: 9, width: 4, outChannels: 6, kernel: 3, stride: 1, padding: 1),
    ]

    /// Runs `body` with the Winograd path on for every 3×3 stride-1 convolution (or off).
    func withWinograd(_ enabled: Bool, _ body: () -> Void) {
        let saved = ConvolutionTuning.winogradMinimumChannels
        ConvolutionTuning.winogradMinimumChannels = enabled ? 0 : Int.max
        defer { ConvolutionTuning.winogradMinimumChannels = saved }
        body()
    }

    func testAppliesOnlyToThreeByThreeStrideOnePaddingOne() {
        func applies(kernel: Int, stride: Int, padding: Int) -> Bool {
            var result = false
            withWinograd(true) {
                let g = ConvolutionGeometry(channels: 4, batch: 1, height: 8, width: 8, kernelHeight: kernel,
                                            kernelWidth: kernel, stride: stride, padding: padding)
                result = WinogradConvolution(g, outChannels: 4) != nil
            }
            return result
        }
        XCTAssertTrue(applies(kernel: 3, stride: 1, padding: 1))
        XCTAssertFalse(applies(kernel: 3, stride: 2, padding: 1))
        XCTAssertFalse(applies(kernel: 3, stride: 1, padding: 0))
        XCTAssertFalse(applies(kernel: 1, stride: 1, padding: 0))
        XCTAssertFalse(applies(kernel: 5, stride: 1, padding: 1))
    }

    func testMatchesDirectConvolution() {
        withWinograd(true) {
            for (index, c) in Self.cases.enumerated() {
                let (x, weight) = ConvolutionTests.inputs(c, seed: UInt64(200 + index))
                let expected = ConvolutionTests.naiveConvolution(x, weight, stride: 1, padding: 1)
                let actual = ConvolutionTests.conv2dNCHW(x, weight, c)
                XCTAssertEqual(actual.shape, expected.shape, "case \(c)")
                // The transforms add and halve values of unit normals: errors stay near 1e-6.
                XCTAssertLessThan(actual.maximumAbsoluteDifference(expected), 1e-4, "case \(c)")
            }
        }
    }

    // Linear in x and in the weight, as im2col's path: see `ConvolutionTests.assertGradientsMatch`.
    func testGradients() {
        withWinograd(true) {
            for (index, c) in Self.cases.enumerated() {
                let (x, weight) = ConvolutionTests.inputs(c, seed: UInt64(210 + index), requiresGradient: true)
                let results = GradientCheck.run(inputs: [x, weight], step: 1e-2, maximumEntries: 150) { t in
                    ConvolutionTests.conv2dNCHW(t[0], t[1], c)
                }
                for (name, result) in zip(["x", "weight"], results) {
                    XCTAssertLessThan(result.relativeError, 1e-3, "\(name) gradient, case \(c)")
                }
            }
        }
    }

    /// y, dx and dw as the im2col path gives them (up to float rounding), with both inputs used
    /// twice (gradients added to), at one and two threads, with the batch split into one share
    /// per thread or not, in one block or in several.
    func testMatchesIm2colPath() {
        let saved = (Threading.threadCount, ConvolutionTuning.perThreadWeightLimit,
                     ConvolutionTuning.columnBudgetBytes, ConvolutionTuning.minimumBlockColumns)
        defer {
            Threading.setThreadCount(saved.0)
            (ConvolutionTuning.perThreadWeightLimit, ConvolutionTuning.columnBudgetBytes,
             ConvolutionTuning.minimumBlockColumns) = (saved.1, saved.2, saved.3)
        }
        for c in Self.cases {
            func outputs(winograd: Bool) -> [Tensor] {
                var result: [Tensor] = []
                withWinograd(winograd) {
                    let (x, weight) = ConvolutionTests.inputs(c, seed: 220, requiresGradient: true)
                    let y = ConvolutionTests.conv2dNCHW(x, weight, c)
                    let twice = y + ConvolutionTests.conv2dNCHW(x, weight, c)
                    twice.backward(seed: Tensor.seededNormal(twice.shape, seed: 221))
                    result = [y, x.gradient!, weight.gradient!]
                }
                return result
            }
            for (threads, split, budget) in [(1, false, Int.max), (2, true, Int.max), (2, true, 1), (2, false, 1)] {
                Threading.setThreadCount(threads)
                ConvolutionTuning.perThreadWeightLimit = split ? Int.max : 0
                (ConvolutionTuning.columnBudgetBytes, ConvolutionTuning.minimumBlockColumns) = (budget, 0)
                let reference = outputs(winograd: false), winograd = outputs(winograd: true)
                for (name, (actual, expected)) in zip(["y", "dx", "dw"], zip(winograd, reference)) {
                    XCTAssertLessThan(actual.maximumAbsoluteDifference(expected), 1e-3,
                                      "\(name), threads \(threads), split \(split), budget \(budget), case \(c)")
                }
            }
        }
    }

    /// Keeping the forward pass's transforms or recomputing them gives the same values bit for
    /// bit, at one thread and with the batch split between two.
    func testKeptTransformsGiveTheSameGradients() {
        let saved = (Threading.threadCount, ConvolutionTuning.winogradKeptTransformBytes)
        defer {
            Threading.setThreadCount(saved.0)
            ConvolutionTuning.winogradKeptTransformBytes = saved.1
        }
        for threads in [1, 2] {
            Threading.setThreadCount(threads)
            for c in Self.cases {
                var results: [[[Float]]] = []
                for kept in [0, Int.max] {
                    ConvolutionTuning.winogradKeptTransformBytes = kept
                    withWinograd(true) {
                        let (x, weight) = ConvolutionTests.inputs(c, seed: 225, requiresGradient: true)
                        let y = ConvolutionTests.conv2dNCHW(x, weight, c)
                        let twice = y + ConvolutionTests.conv2dNCHW(x, weight, c)
                        twice.backward(seed: Tensor.seededNormal(twice.shape, seed: 226))
                        results.append([y.scalars, x.gradient!.scalars, weight.gradient!.scalars])
                    }
                }
                XCTAssertEqual(results[0], results[1], "threads \(threads), case \(c)")
            }
        }
    }

    /// Only the gradient that has a target is computed, and the weight's needs the saved input.
    func testSingleInputGradients() {
        withWinograd(true) {
            let c = Self.cases[0]
            let (x, weight) = ConvolutionTests.inputs(c, seed: 230, requiresGradient: true)
            let frozen = Tensor(shape: weight.shape, scalars: weight.scalars)
            let y = ConvolutionTests.conv2dNCHW(x, frozen, c)
            y.backward(seed: Tensor.seededNormal(y.shape, seed: 231))
            XCTAssertNotNil(x.gradient)
            let input = Tensor(shape: x.shape, scalars: x.scalars)
            let z = ConvolutionTests.conv2dNCHW(input, weight, c)
            z.backward(seed: Tensor.seededNormal(z.shape, seed: 232))
            XCTAssertNotNil(weight.gradient)
            XCTAssertNil(input.gradient)
        }
    }

    /// ⟨T(a), b⟩ = ⟨a, T*(b)⟩ for each transform T and the adjoint the backward pass uses.
    func testTransformsAreAdjoint() {
        let t = WinogradTiling(channels: 3, batch: 3, height: 5, width: 6)
        let images = 1..<3, tiles = images.count * t.tilesPerImage
        let planes = Tensor.seededNormal([t.channels, t.batch, t.height, t.width], seed: 240)
        let transformed = Tensor.seededNormal([16, t.channels, tiles], seed: 241)

        // Only the planes of `images` take part: the others are neither read nor written.
        func dot(planesOf a: Tensor, _ b: Tensor) -> Double {
            var sum = 0.0
            for c in 0..<t.channels {
                for n in images {
                    for i in 0..<(t.height * t.width) {
                        let index = (c * t.batch + n) * t.height * t.width + i
                        sum += Double(a.scalars[index]) * Double(b.scalars[index])
                    }
                }
            }
            return sum
        }
        func dot(_ a: Tensor, _ b: Tensor) -> Double {
            zip(a.scalars, b.scalars).reduce(0) { $0 + Double($1.0) * Double($1.1) }
        }

        let v = Tensor(zeros: [16, t.channels, tiles]), dx = Tensor(zeros: planes.shape)
        winogradInputTransform(planes.data, t, images: images, into: v.data, parallel: false)
        winogradInputGradientTransform(transformed.data, t, images: images, into: dx.data, accumulate: false,
                                       parallel: false)
        XCTAssertEqual(dot(v, transformed), dot(planesOf: planes, dx), accuracy: 1e-3)

        let y = Tensor(zeros: planes.shape), dm = Tensor(zeros: [16, t.channels, tiles])
        winogradOutputTransform(transformed.data, t, images: images, into: y.data, accumulate: false, parallel: false)
        winogradOutputGradientTransform(planes.data, t, images: images, into: dm.data, parallel: false)
        XCTAssertEqual(dot(planesOf: y, planes), dot(transformed, dm), accuracy: 1e-3)

        let (outChannels, channels) = (2, 3)
        let kernel = Tensor.seededNormal([outChannels, channels, 3, 3], seed: 242)
        let transformedKernel = Tensor.seededNormal([16, outChannels, channels], seed: 243)
        let u = Tensor(zeros: transformedKernel.shape), dw = Tensor(zeros: kernel.shape)
        winogradKernelTransform(kernel.data, outChannels: outChannels, channels: channels, into: u.data)
        winogradKernelGradient(transformedKernel.data, outChannels: outChannels, channels: channels,
                               into: dw.data, accumulate: false)
        XCTAssertEqual(dot(u, transformedKernel), dot(kernel, dw), accuracy: 1e-3)
    }

    /// The transforms of one tile, against values worked out by hand: a 1×1 image holding 2 (its
    /// patch is 2 at (1, 1), 0 elsewhere), and the kernel of ones.
    func testTransformsOfOneTileByHand() {
        let t = WinogradTiling(channels: 1, batch: 1, height: 1, width: 1)
        let pixel = Tensor(shape: [1, 1, 1, 1], scalars: [2])
        let v = Tensor(zeros: [16, 1, 1])
        winogradInputTransform(pixel.data, t, images: 0..<1, into: v.data, parallel: false)
        // Bᵀ·d·B with d = 2·e₁₁: Bᵀ's column 1 is (0, 1, −1, 1), so V = 2·(0, 1, −1, 1)ᵀ(0, 1, −1, 1).
        let b1: [Float] = [0, 1, -1, 1]
        XCTAssertEqual(v.scalars, (0..<16).map { 2 * b1[$0 / 4] * b1[$0 % 4] })

        let ones = Tensor(shape: [1, 1, 3, 3], scalars: Array(repeating: 1, count: 9))
        let u = Tensor(zeros: [16, 1, 1])
        winogradKernelTransform(ones.data, outChannels: 1, channels: 1, into: u.data)
        // G·1₃ = (1, 1.5, 0.5, 1), so U is its outer product with itself.
        let g1: [Float] = [1, 1.5, 0.5, 1]
        XCTAssertEqual(u.scalars, (0..<16).map { g1[$0 / 4] * g1[$0 % 4] })
    }
}
