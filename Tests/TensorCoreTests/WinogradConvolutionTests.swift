import GradientChecking
import XCTest
@testable import TensorCore

/// The Winograd F(2×2, 3×3) and F(4×4, 3×3) paths of `conv2d` against the direct convolution,
/// finite differences and the im2col path, and each of their tile transforms against its adjoint.
final class WinogradConvolutionTests: XCTestCase {
    typealias Case = ConvolutionTests.Case

    /// Sizes that divide into tiles and sizes whose last tile is cut (for either tile size),
    /// single-pixel and single-tile images, rows of more than one group of four tiles with a
    /// partial last group, more outputs than inputs and fewer.
    static let cases: [Case] = [
        Case(batch: 2, inChannels: 4, height: 6, width: 8, outChannels: 5, kernel: 3, stride: 1, padding: 1),
        Case(batch: 3, inChannels: 3, height: 7, width: 5, outChannels: 2, kernel: 3, stride: 1, padding: 1),
        Case(batch: 1, inChannels: 2, height: 1, width: 1, outChannels: 3, kernel: 3, stride: 1, padding: 1),
        Case(batch: 2, inChannels: 5, height: 2, width: 3, outChannels: 4, kernel: 3, stride: 1, padding: 1),
        Case(batch: 4, inChannels: 6, height: 9, width: 4, outChannels: 6, kernel: 3, stride: 1, padding: 1),
        Case(batch: 2, inChannels: 3, height: 10, width: 19, outChannels: 4, kernel: 3, stride: 1, padding: 1),
    ]

    /// Runs `body` with the Winograd path on for every 3×3 stride-1 convolution (or off), as
    /// `variant` (or as chosen by size).
    func withWinograd(_ enabled: Bool, variant: WinogradVariant? = nil, _ body: () -> Void) {
        let saved = (ConvolutionTuning.winogradMinimumChannels, ConvolutionTuning.forcedWinogradVariant)
        ConvolutionTuning.winogradMinimumChannels = enabled ? 0 : Int.max
        ConvolutionTuning.forcedWinogradVariant = variant
        defer { (ConvolutionTuning.winogradMinimumChannels, ConvolutionTuning.forcedWinogradVariant) = saved }
        body()
    }

    func testVariantFollowsTheTilesGEMMCostAndTheKernelsMemory() {
        let expected: [(size: Int, variant: WinogradVariant)] = [
            (1, .f2x2), (2, .f2x2), (3, .f4x4), (4, .f4x4), (5, .f2x2), (6, .f2x2), (7, .f4x4),
            (8, .f4x4), (10, .f4x4), (14, .f4x4), (32, .f4x4), (56, .f4x4),
        ]
        for (size, variant) in expected {
            XCTAssertEqual(ConvolutionTuning.winogradVariant(height: size, width: size, channels: 64, outChannels: 64), variant, "\(size) px")
        }
        // A row of 8: 2 tiles of 4×4 (72 products) against 4 of 2×2 (64); three rows: 72 against 128.
        XCTAssertEqual(ConvolutionTuning.winogradVariant(height: 1, width: 8, channels: 64, outChannels: 64), .f2x2)
        XCTAssertEqual(ConvolutionTuning.winogradVariant(height: 3, width: 8, channels: 64, outChannels: 64), .f4x4)
        // ResNet-50's layer4: F(4×4)'s U would take 36 MiB.
        XCTAssertEqual(ConvolutionTuning.winogradVariant(height: 7, width: 7, channels: 512, outChannels: 512), .f2x2)
        XCTAssertEqual(ConvolutionTuning.winogradVariant(height: 14, width: 14, channels: 256, outChannels: 256), .f4x4)
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
        for variant in WinogradVariant.allCases {
            withWinograd(true, variant: variant) {
                for (index, c) in Self.cases.enumerated() {
                    let (x, weight) = ConvolutionTests.inputs(c, seed: UInt64(200 + index))
                    let expected = ConvolutionTests.naiveConvolution(x, weight, stride: 1, padding: 1)
                    let actual = ConvolutionTests.conv2dNCHW(x, weight, c)
                    XCTAssertEqual(actual.shape, expected.shape, "\(variant), case \(c)")
                    // Unit normals through F(2×2)'s transforms (sums and halves) err near 1e-6,
                    // through F(4×4)'s (factors up to 8) near 1e-5.
                    XCTAssertLessThan(actual.maximumAbsoluteDifference(expected), variant == .f2x2 ? 1e-4 : 2e-4,
                                      "\(variant), case \(c)")
                }
            }
        }
    }

    // Linear in x and in the weight, as im2col's path: see `ConvolutionTests.assertGradientsMatch`.
    func testGradients() {
        for variant in WinogradVariant.allCases {
            withWinograd(true, variant: variant) {
                for (index, c) in Self.cases.enumerated() {
                    let (x, weight) = ConvolutionTests.inputs(c, seed: UInt64(210 + index), requiresGradient: true)
                    let results = GradientCheck.run(inputs: [x, weight], step: 1e-2, maximumEntries: 150) { t in
                        ConvolutionTests.conv2dNCHW(t[0], t[1], c)
                    }
                    for (name, result) in zip(["x", "weight"], results) {
                        XCTAssertLessThan(result.relativeError, 1e-3, "\(name) gradient, \(variant), case \(c)")
                    }
                }
            }
        }
    }

    /// y, dx and dw as the im2col path gives them (up to float rounding), with both inputs used
    /// twice (gradients added to), at one and two threads, with the batch split into one share
    /// per thread or not, in one block or in several (under either blocking rule: the small
    /// weights' `winogradBlockBytes` or the column budget).
    func testMatchesIm2colPath() {
        let saved = (Threading.threadCount, ConvolutionTuning.perThreadWeightLimit,
                     ConvolutionTuning.columnBudgetBytes, ConvolutionTuning.minimumBlockColumns,
                     ConvolutionTuning.winogradBlockBytes)
        defer {
            Threading.setThreadCount(saved.0)
            (ConvolutionTuning.perThreadWeightLimit, ConvolutionTuning.columnBudgetBytes,
             ConvolutionTuning.minimumBlockColumns, ConvolutionTuning.winogradBlockBytes) = (saved.1, saved.2, saved.3, saved.4)
        }
        for c in Self.cases {
            func outputs(winograd: Bool, variant: WinogradVariant? = nil) -> [Tensor] {
                var result: [Tensor] = []
                withWinograd(winograd, variant: variant) {
                    let (x, weight) = ConvolutionTests.inputs(c, seed: 220, requiresGradient: true)
                    let y = ConvolutionTests.conv2dNCHW(x, weight, c)
                    let twice = y + ConvolutionTests.conv2dNCHW(x, weight, c)
                    twice.backward(seed: Tensor.seededNormal(twice.shape, seed: 221))
                    result = [y, x.gradient!, weight.gradient!]
                }
                return result
            }
            for (threads, split, budget) in [(1, false, Int.max), (1, true, 1), (2, true, Int.max), (2, true, 1), (2, false, 1)] {
                Threading.setThreadCount(threads)
                ConvolutionTuning.perThreadWeightLimit = split ? Int.max : 0
                (ConvolutionTuning.columnBudgetBytes, ConvolutionTuning.minimumBlockColumns) = (budget, 0)
                ConvolutionTuning.winogradBlockBytes = budget
                let reference = outputs(winograd: false)
                for variant in WinogradVariant.allCases {
                    let winograd = outputs(winograd: true, variant: variant)
                    for (name, (actual, expected)) in zip(["y", "dx", "dw"], zip(winograd, reference)) {
                        XCTAssertLessThan(actual.maximumAbsoluteDifference(expected), 1e-3,
                                          "\(name), \(variant), threads \(threads), split \(split), budget \(budget), case \(c)")
                    }
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
            for (c, variant) in Self.cases.flatMap({ c in WinogradVariant.allCases.map { (c, $0) } }) {
                var results: [[[Float]]] = []
                for kept in [0, Int.max] {
                    ConvolutionTuning.winogradKeptTransformBytes = kept
                    withWinograd(true, variant: variant) {
                        let (x, weight) = ConvolutionTests.inputs(c, seed: 225, requiresGradient: true)
                        let y = ConvolutionTests.conv2dNCHW(x, weight, c)
                        let twice = y + ConvolutionTests.conv2dNCHW(x, weight, c)
                        twice.backward(seed: Tensor.seededNormal(twice.shape, seed: 226))
                        results.append([y.scalars, x.gradient!.scalars, weight.gradient!.scalars])
                    }
                }
                XCTAssertEqual(results[0], results[1], "\(variant), threads \(threads), case \(c)")
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

    /// ⟨T(a), b⟩ = ⟨a, T*(b)⟩ for each transform T and the adjoint the backward pass uses, on
    /// planes whose last tiles are cut and rows of more than one group of four tiles.
    func testTransformsAreAdjoint() {
        for variant in WinogradVariant.allCases {
            assertTransformsAreAdjoint(variant)
        }
    }

    func assertTransformsAreAdjoint(_ variant: WinogradVariant) {
        let t = WinogradTiling(channels: 3, batch: 3, height: 5, width: 19, variant: variant)
        let images = 1..<3, tiles = images.count * t.tilesPerImage, positions = variant.positions
        let planes = Tensor.seededNormal([t.channels, t.batch, t.height, t.width], seed: 240)
        let transformed = Tensor.seededNormal([positions, t.channels, tiles], seed: 241)

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

        let v = Tensor(zeros: [positions, t.channels, tiles]), dx = Tensor(zeros: planes.shape)
        winogradInputTransform(planes.data, t, images: images, into: v.data, parallel: false)
        winogradInputGradientTransform(transformed.data, t, images: images, into: dx.data, accumulate: false,
                                       parallel: false)
        XCTAssertEqual(dot(v, transformed), dot(planesOf: planes, dx), accuracy: 1e-2, "\(variant)")

        let y = Tensor(zeros: planes.shape), dm = Tensor(zeros: [positions, t.channels, tiles])
        winogradOutputTransform(transformed.data, t, images: images, into: y.data, accumulate: false, parallel: false)
        winogradOutputGradientTransform(planes.data, t, images: images, into: dm.data, parallel: false)
        XCTAssertEqual(dot(planesOf: y, planes), dot(transformed, dm), accuracy: 1e-2, "\(variant)")

        let (outChannels, channels) = (2, 3)
        let kernel = Tensor.seededNormal([outChannels, channels, 3, 3], seed: 242)
        let transformedKernel = Tensor.seededNormal([positions, outChannels, channels], seed: 243)
        let u = Tensor(zeros: transformedKernel.shape), dw = Tensor(zeros: kernel.shape)
        winogradKernelTransform(kernel.data, outChannels: outChannels, channels: channels, variant: variant, into: u.data)
        winogradKernelGradient(transformedKernel.data, outChannels: outChannels, channels: channels, variant: variant,
                               into: dw.data, accumulate: false)
        XCTAssertEqual(dot(u, transformedKernel), dot(kernel, dw), accuracy: 1e-3, "\(variant)")
    }

    /// The transforms of one tile, against values worked out by hand: a 1×1 image holding 2 (its
    /// patch is 2 at (1, 1), 0 elsewhere), so V = 2·bbᵀ with b column 1 of Bᵀ; the kernel of
    /// ones, so U = ggᵀ with g = G·(1, 1, 1); and, for the output, M of ones over one tile, so
    /// y = aaᵀ with a = Aᵀ·(1, …, 1), the row sums of Aᵀ.
    func testTransformsOfOneTileByHand() {
        let expected: [(variant: WinogradVariant, b: [Float], g: [Float], a: [Float])] = [
            (.f2x2, [0, 1, -1, 1], [1, 1.5, 0.5, 1], [3, -1]),
            (.f4x4, [0, -4, 4, -2, 2, 4], [1.0 / 4, -1.0 / 2, -1.0 / 6, 7.0 / 24, 1.0 / 8, 1], [5, 0, 10, 1]),
        ]
        for (variant, b, g, a) in expected {
            let n = variant.inputTile, m = variant.outputTile
            func outer(_ x: [Float], _ scale: Float = 1) -> [Float] {
                (0..<(x.count * x.count)).map { scale * x[$0 / x.count] * x[$0 % x.count] }
            }
            let pixel = Tensor(shape: [1, 1, 1, 1], scalars: [2])
            let v = Tensor(zeros: [n * n, 1, 1])
            winogradInputTransform(pixel.data, WinogradTiling(channels: 1, batch: 1, height: 1, width: 1, variant: variant),
                                   images: 0..<1, into: v.data, parallel: false)
            XCTAssertEqual(v.scalars, outer(b, 2), "\(variant)")

            let ones = Tensor(shape: [1, 1, 3, 3], scalars: Array(repeating: 1, count: 9))
            let u = Tensor(zeros: [n * n, 1, 1])
            winogradKernelTransform(ones.data, outChannels: 1, channels: 1, variant: variant, into: u.data)
            for (actual, wanted) in zip(u.scalars, outer(g)) {
                XCTAssertEqual(actual, wanted, accuracy: 1e-6, "\(variant)")
            }

            let tile = WinogradTiling(channels: 1, batch: 1, height: m, width: m, variant: variant)
            let transformedOnes = Tensor(shape: [n * n, 1, 1], scalars: Array(repeating: 1, count: n * n))
            let y = Tensor(zeros: [1, 1, m, m])
            winogradOutputTransform(transformedOnes.data, tile, images: 0..<1, into: y.data, accumulate: false,
                                    parallel: false)
            XCTAssertEqual(y.scalars, outer(a), "\(variant)")
        }
    }
}
