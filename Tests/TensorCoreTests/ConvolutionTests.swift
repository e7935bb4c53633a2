import GradientChecking
import XCTest
@testable import TensorCore

final class ConvolutionTests: XCTestCase {
    private var savedWinogradMinimum = 0

    /// These tests are of the im2col paths; `WinogradConvolutionTests` compares the two.
    override func setUp() {
        savedWinogradMinimum = ConvolutionTuning.winogradMinimumChannels
        ConvolutionTuning.winogradMinimumChannels = Int.max
    }

    override func tearDown() {
        ConvolutionTuning.winogradMinimumChannels = savedWinogradMinimum
    }

    /// One convolution case: x NCHW [batch, inChannels, height, width], kernel k×k.
    struct Case {
        let batch, inChannels, height, width, outChannels, kernel, stride, padding: Int
    }

    static let cases: [Case] = [
        Case(batch: 1, inChannels: 3, height: 5, width: 5, outChannels: 4, kernel: 1, stride: 1, padding: 0),
        Case(batch: 3, inChannels: 6, height: 4, width: 7, outChannels: 5, kernel: 1, stride: 1, padding: 0),
        Case(batch: 2, inChannels: 5, height: 6, width: 7, outChannels: 3, kernel: 1, stride: 2, padding: 0),
        Case(batch: 2, inChannels: 3, height: 5, width: 4, outChannels: 2, kernel: 1, stride: 1, padding: 1),
        Case(batch: 1, inChannels: 2, height: 4, width: 5, outChannels: 3, kernel: 3, stride: 1, padding: 0),
        Case(batch: 2, inChannels: 4, height: 7, width: 6, outChannels: 5, kernel: 3, stride: 1, padding: 1),
        Case(batch: 3, inChannels: 3, height: 9, width: 8, outChannels: 4, kernel: 3, stride: 2, padding: 1),
        Case(batch: 2, inChannels: 3, height: 15, width: 13, outChannels: 4, kernel: 7, stride: 2, padding: 3),
        Case(batch: 1, inChannels: 2, height: 8, width: 11, outChannels: 3, kernel: 7, stride: 1, padding: 3),
        // Stride 2 with outputs wide enough for the vectorised row copies (Wo = 18, 21, 19).
        Case(batch: 2, inChannels: 3, height: 4, width: 35, outChannels: 2, kernel: 1, stride: 2, padding: 0),
        Case(batch: 2, inChannels: 2, height: 6, width: 41, outChannels: 3, kernel: 3, stride: 2, padding: 1),
        Case(batch: 1, inChannels: 3, height: 9, width: 37, outChannels: 2, kernel: 7, stride: 2, padding: 3),
        // Padding wider than the kernel: whole output rows and columns read only padding.
        Case(batch: 2, inChannels: 2, height: 3, width: 4, outChannels: 2, kernel: 3, stride: 2, padding: 3),
    ]

    /// The oracle: a direct convolution on NCHW x [N, Cin, H, W] and weight [Cout, Cin, k, k],
    /// accumulated in Double; returns NCHW [N, Cout, Ho, Wo].
    static func naiveConvolution(_ x: Tensor, _ weight: Tensor, stride: Int, padding: Int) -> Tensor {
        let (n, cin, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (cout, kh, kw) = (weight.shape[0], weight.shape[2], weight.shape[3])
        let ho = (h + 2 * padding - kh) / stride + 1, wo = (w + 2 * padding - kw) / stride + 1
        let xs = x.scalars, ws = weight.scalars
        var y = [Float](repeating: 0, count: n * cout * ho * wo)
        for b in 0..<n { for o in 0..<cout { for oh in 0..<ho { for ow in 0..<wo {
            var sum = 0.0
            for c in 0..<cin { for i in 0..<kh { for j in 0..<kw {
                let ih = oh * stride - padding + i, iw = ow * stride - padding + j
                guard ih >= 0, ih < h, iw >= 0, iw < w else { continue }
                sum += Double(xs[((b * cin + c) * h + ih) * w + iw]) * Double(ws[((o * cin + c) * kh + i) * kw + j])
            } } }
            y[((b * cout + o) * ho + oh) * wo + ow] = Float(sum)
        } } } }
        return Tensor(shape: [n, cout, ho, wo], scalars: y)
    }

    /// conv2d on channel-major data, for a case given in NCHW, returned in NCHW.
    static func conv2dNCHW(_ x: Tensor, _ weight: Tensor, _ c: Case) -> Tensor {
        batchMajor(conv2d(channelMajor(x), weight: weight, stride: c.stride, padding: c.padding))
    }

    static func inputs(_ c: Case, seed: UInt64, requiresGradient: Bool = false) -> (x: Tensor, weight: Tensor) {
        (Tensor.seededNormal([c.batch, c.inChannels, c.height, c.width], seed: seed, requiresGradient: requiresGradient),
         Tensor.seededNormal([c.outChannels, c.inChannels, c.kernel, c.kernel], seed: seed + 1000,
                             requiresGradient: requiresGradient))
    }

    /// Runs `body` with the im2col column budget set to `bytes` (and no minimum block width),
    /// restoring both afterwards.
    func withColumnBudget(_ bytes: Int, _ body: () -> Void) {
        let saved = (ConvolutionTuning.columnBudgetBytes, ConvolutionTuning.minimumBlockColumns)
        (ConvolutionTuning.columnBudgetBytes, ConvolutionTuning.minimumBlockColumns) = (bytes, 0)
        defer { (ConvolutionTuning.columnBudgetBytes, ConvolutionTuning.minimumBlockColumns) = saved }
        body()
    }

    /// Runs `body` with dX of stride-1 convolutions by the transposed convolution or by col2im.
    func withTransposedInputGradient(_ enabled: Bool, _ body: () -> Void) {
        let saved = ConvolutionTuning.inputGradientByTransposedConvolution
        ConvolutionTuning.inputGradientByTransposedConvolution = enabled
        defer { ConvolutionTuning.inputGradientByTransposedConvolution = saved }
        body()
    }

    func testMatchesDirectConvolution() {
        for (index, c) in Self.cases.enumerated() {
            let (x, weight) = Self.inputs(c, seed: UInt64(index))
            let expected = Self.naiveConvolution(x, weight, stride: c.stride, padding: c.padding)
            let actual = Self.conv2dNCHW(x, weight, c)
            XCTAssertEqual(actual.shape, expected.shape, "case \(c)")
            // Float32 sums of at most Cin·k·k = 147 products of unit normals: errors near 1e-5.
            XCTAssertLessThan(actual.maximumAbsoluteDifference(expected), 1e-4, "case \(c)")
        }
    }

    /// im2col by row copies and by gathers through an offset table fill the same columns, so
    /// the convolution and both gradients agree bit for bit, in every case, either way.
    func testNarrowAndWideIm2colAgree() {
        let saved = ConvolutionTuning.narrowOutputWidth
        defer { ConvolutionTuning.narrowOutputWidth = saved }
        for (index, c) in Self.cases.enumerated() {
            var results: [[[Float]]] = []
            for width in [0, Int.max] {
                ConvolutionTuning.narrowOutputWidth = width
                let (x, weight) = Self.inputs(c, seed: UInt64(40 + index), requiresGradient: true)
                let y = Self.conv2dNCHW(x, weight, c)
                (y * Tensor.seededNormal(y.shape, seed: 7)).sum().backward()
                results.append([y.scalars, x.gradient?.scalars ?? [], weight.gradient?.scalars ?? []])
            }
            XCTAssertEqual(results[0], results[1], "case \(c)")
        }
    }

    func testImageBlocksGiveTheSameResult() {
        let c = Case(batch: 5, inChannels: 3, height: 9, width: 7, outChannels: 4, kernel: 3, stride: 2, padding: 1)
        let (x, weight) = Self.inputs(c, seed: 11)
        let expected = Self.naiveConvolution(x, weight, stride: c.stride, padding: c.padding)
        let imageBytes = c.inChannels * 9 * 5 * 4 * MemoryLayout<Float>.stride
        // One image per block, then two (blocks of 2, 2, 1).
        for budget in [1, 2 * imageBytes] {
            withColumnBudget(budget) {
                XCTAssertLessThan(Self.conv2dNCHW(x, weight, c).maximumAbsoluteDifference(expected), 1e-4,
                                  "budget \(budget)")
            }
        }
    }

    // conv2d is linear in x and in the weight, so central differences are exact up to float32
    // rounding of L (≈ 1e-7·|L| / step): step 1e-2 and tolerance 1e-3 leave a wide margin while
    // still catching any misplaced or missing term (which gives errors of order 1e-1).
    func assertGradientsMatch(_ c: Case, seed: UInt64, file: StaticString = #filePath, line: UInt = #line) {
        let (x, weight) = Self.inputs(c, seed: seed, requiresGradient: true)
        let results = GradientCheck.run(inputs: [x, weight], step: 1e-2, maximumEntries: 150) { t in
            Self.conv2dNCHW(t[0], t[1], c)
        }
        for (name, result) in zip(["x", "weight"], results) {
            XCTAssertLessThan(result.relativeError, 1e-3, "\(name) gradient, case \(c)", file: file, line: line)
        }
    }

    func testGradientPointwise() {
        assertGradientsMatch(Case(batch: 2, inChannels: 4, height: 3, width: 5, outChannels: 3,
                                  kernel: 1, stride: 1, padding: 0), seed: 21)
    }

    func testGradientStridedPointwise() {
        assertGradientsMatch(Case(batch: 2, inChannels: 3, height: 5, width: 4, outChannels: 2,
                                  kernel: 1, stride: 2, padding: 0), seed: 22)
    }

    func testGradient3x3Stride2Padding1() {
        assertGradientsMatch(Case(batch: 2, inChannels: 3, height: 7, width: 6, outChannels: 4,
                                  kernel: 3, stride: 2, padding: 1), seed: 23)
    }

    func testGradient7x7Stride2Padding3() {
        // Wo = 19: the vectorised stride-2 scatter of col2im runs as well as its scalar tail.
        assertGradientsMatch(Case(batch: 2, inChannels: 2, height: 9, width: 37, outChannels: 2,
                                  kernel: 7, stride: 2, padding: 3), seed: 24)
    }

    func testGradientAcrossImageBlocks() {
        withColumnBudget(1) {
            assertGradientsMatch(Case(batch: 3, inChannels: 2, height: 5, width: 6, outChannels: 3,
                                      kernel: 3, stride: 1, padding: 1), seed: 25)
        }
    }

    /// Stride-1 cases whose dX runs as the transposed convolution (Cout ≤ Cin): padding 0, "same"
    /// and wider than same, kernels 3 and 5, several image blocks.
    static let transposedGradientCases: [Case] = [
        Case(batch: 2, inChannels: 4, height: 6, width: 7, outChannels: 3, kernel: 3, stride: 1, padding: 1),
        Case(batch: 2, inChannels: 3, height: 6, width: 5, outChannels: 3, kernel: 3, stride: 1, padding: 0),
        Case(batch: 1, inChannels: 3, height: 5, width: 6, outChannels: 2, kernel: 3, stride: 1, padding: 2),
        Case(batch: 2, inChannels: 3, height: 7, width: 8, outChannels: 3, kernel: 5, stride: 1, padding: 2),
    ]

    func testGradientByTransposedConvolution() {
        for (index, c) in Self.transposedGradientCases.enumerated() {
            assertGradientsMatch(c, seed: 40 + UInt64(index))
        }
        withColumnBudget(1) { assertGradientsMatch(Self.transposedGradientCases[0], seed: 45) }
    }

    /// The transposed convolution and GEMM + col2im give the same dX up to float32 rounding,
    /// whether dX is overwritten or added to (x used twice).
    func testTransposedInputGradientMatchesCol2im() {
        for c in Self.transposedGradientCases {
            func inputGradient(transposed: Bool) -> Tensor {
                var dx: Tensor?
                withTransposedInputGradient(transposed) {
                    let (x, weight) = Self.inputs(c, seed: 50, requiresGradient: true)
                    let twice = Self.conv2dNCHW(x, weight, c) + Self.conv2dNCHW(x, weight, c)
                    twice.backward(seed: Tensor.seededNormal(twice.shape, seed: 51))
                    dx = x.gradient
                }
                return dx!
            }
            let difference = inputGradient(transposed: true).maximumAbsoluteDifference(inputGradient(transposed: false))
            XCTAssertLessThan(difference, 1e-4, "case \(c)")
        }
    }

    /// Runs `body` on two threads with every convolution's batch split into one share per thread
    /// (`split`) or with blocks shared by the threads.
    func withPerThreadShares(_ split: Bool, _ body: () -> Void) {
        let saved = (Threading.threadCount, ConvolutionTuning.perThreadWeightLimit)
        Threading.setThreadCount(2)
        ConvolutionTuning.perThreadWeightLimit = split ? Int.max : 0
        defer {
            Threading.setThreadCount(saved.0)
            ConvolutionTuning.perThreadWeightLimit = saved.1
        }
        body()
    }

    /// One share of the batch per thread gives the outputs and gradients of blocks shared by the
    /// threads (up to float rounding: dW sums the shares apart), with one or several blocks per
    /// share, batches that do not divide, both dX paths, 1×1 convolutions (one GEMM per share),
    /// and gradients added to existing ones.
    func testPerThreadSharesMatchSharedBlocks() {
        let cases = [
            Case(batch: 3, inChannels: 4, height: 6, width: 7, outChannels: 3, kernel: 3, stride: 1, padding: 1),
            Case(batch: 5, inChannels: 4, height: 3, width: 5, outChannels: 6, kernel: 1, stride: 1, padding: 0),
            Case(batch: 5, inChannels: 3, height: 9, width: 8, outChannels: 4, kernel: 3, stride: 2, padding: 1),
            Case(batch: 4, inChannels: 3, height: 7, width: 8, outChannels: 3, kernel: 5, stride: 1, padding: 2),
        ]
        for c in cases {
            for budget in [1, Int.max] {
                func outputs(split: Bool) -> [Tensor] {
                    var result: [Tensor] = []
                    withPerThreadShares(split) {
                        withColumnBudget(budget) {
                            let (x, weight) = Self.inputs(c, seed: 60, requiresGradient: true)
                            let y = Self.conv2dNCHW(x, weight, c)
                            let twice = y + Self.conv2dNCHW(x, weight, c)
                            twice.backward(seed: Tensor.seededNormal(twice.shape, seed: 61))
                            result = [y, x.gradient!, weight.gradient!]
                        }
                    }
                    return result
                }
                for (name, (split, shared)) in zip(["y", "dx", "dw"], zip(outputs(split: true), outputs(split: false))) {
                    XCTAssertLessThan(split.maximumAbsoluteDifference(shared), 1e-4, "\(name), budget \(budget), case \(c)")
                }
            }
        }
    }

    func testGradientWithPerThreadShares() {
        withPerThreadShares(true) {
            withColumnBudget(1) {
                assertGradientsMatch(Self.transposedGradientCases[0], seed: 62)
                assertGradientsMatch(Case(batch: 3, inChannels: 3, height: 9, width: 8, outChannels: 4,
                                          kernel: 3, stride: 2, padding: 1), seed: 63)
                assertGradientsMatch(Case(batch: 3, inChannels: 4, height: 3, width: 5, outChannels: 3,
                                          kernel: 1, stride: 1, padding: 0), seed: 64)
            }
        }
    }

    /// Both inputs used twice: the second contribution adds into existing gradients (β = 1).
    func testGradientsAccumulateOverUses() {
        for (kernel, stride, padding) in [(1, 1, 0), (3, 2, 1)] {
            let c = Case(batch: 2, inChannels: 3, height: 6, width: 5, outChannels: 2,
                         kernel: kernel, stride: stride, padding: padding)
            let (x, weight) = Self.inputs(c, seed: 26, requiresGradient: true)
            let results = GradientCheck.run(inputs: [x, weight]) { t in
                Self.conv2dNCHW(t[0], t[1], c) + Self.conv2dNCHW(t[0] * 2, t[1], c)
            }
            for result in results { XCTAssertLessThan(result.relativeError, 1e-3, "k \(kernel)") }
        }
    }

    /// With only one input needing a gradient, it gets the same gradient as when both do.
    func testSingleInputGradients() {
        let c = Case(batch: 2, inChannels: 3, height: 6, width: 5, outChannels: 2, kernel: 3, stride: 1, padding: 1)
        let seedGradient = Tensor.seededNormal([c.outChannels, c.batch, 6, 5], seed: 31)
        func gradients(x xNeeds: Bool, weight wNeeds: Bool) -> (Tensor?, Tensor?) {
            let (xNCHW, weight) = Self.inputs(c, seed: 30)
            let x = channelMajor(xNCHW).detached().requiringGradient(xNeeds)
            weight.requiringGradient(wNeeds)
            conv2d(x, weight: weight, stride: 1, padding: 1).backward(seed: seedGradient)
            return (x.gradient, weight.gradient)
        }
        let (dxBoth, dwBoth) = gradients(x: true, weight: true)
        let (dxOnly, dwNone) = gradients(x: true, weight: false)
        let (dxNone, dwOnly) = gradients(x: false, weight: true)
        XCTAssertNil(dwNone)
        XCTAssertNil(dxNone)
        XCTAssertEqual(dxOnly?.scalars, dxBoth?.scalars)
        XCTAssertEqual(dwOnly?.scalars, dwBoth?.scalars)
    }

    /// After a first step, steps take their column buffers from the workspace, which holds no
    /// more than it did (buffers borrowed at once by the shares of a split batch are alike, so
    /// which of them comes back first is not fixed; how much is held is).
    func testWorkspaceIsReusedInSteadyState() {
        let c = Case(batch: 2, inChannels: 3, height: 8, width: 8, outChannels: 4, kernel: 3, stride: 1, padding: 1)
        let (x, weight) = Self.inputs(c, seed: 40, requiresGradient: true)
        func step() { conv2d(channelMajor(x), weight: weight, padding: 1).sum().backward() }
        step()
        let held = Workspace.shared.pooledBytes
        XCTAssertGreaterThan(held, 0)
        for _ in 0..<3 {
            step()
            XCTAssertEqual(Workspace.shared.pooledBytes, held)
        }
    }

    func testWorkspaceGivesNestedBorrowersSeparateBuffers() {
        let workspace = Workspace()
        workspace.withBuffer(count: 16) { outer in
            workspace.withBuffer(count: 16) { inner in XCTAssertNotEqual(outer, inner) }
        }
        XCTAssertEqual(workspace.pooledBytes, 2 * 16 * MemoryLayout<Float>.stride)
        // A larger request replaces the largest pooled buffer instead of adding to the pool.
        workspace.withBuffer(count: 64) { _ in }
        XCTAssertEqual(workspace.pooledBytes, (16 + 64) * MemoryLayout<Float>.stride)
    }

    func testConv2DLayerInitialisationAndState() {
        var random = SeededRandom(seed: 5, 1)
        let layer = Conv2D(inChannels: 128, outChannels: 256, kernelSize: 3, padding: 1, random: &random)
        XCTAssertEqual(layer.weight.shape, [256, 128, 3, 3])
        XCTAssertEqual(layer.state.map(\.name), ["weight"])
        XCTAssertEqual(layer.namedParameters.first?.tensor === layer.weight, true)

        // Kaiming normal, fan_out, ReLU gain: std = sqrt(2 / (Cout·k·k)).
        let expectedStd = (2.0 / Double(256 * 9)).squareRoot()
        let values = layer.weight.scalars.map(Double.init)
        let n = Double(values.count)
        let mean = values.reduce(0, +) / n
        let std = (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / n).squareRoot()
        // Sampling errors: σ/√n for the mean, about σ/√(2n) for the standard deviation; allow 5 of each.
        XCTAssertLessThan(abs(mean), 5 * expectedStd / n.squareRoot())
        XCTAssertLessThan(abs(std / expectedStd - 1), 5 / (2 * n).squareRoot())

        var again = SeededRandom(seed: 5, 1)
        let same = Conv2D(inChannels: 128, outChannels: 256, kernelSize: 3, padding: 1, random: &again)
        XCTAssertEqual(same.weight.scalars, layer.weight.scalars)

        let x = Tensor.seededNormal([128, 2, 6, 5], seed: 50)
        XCTAssertEqual(layer(x).shape, [256, 2, 6, 5])
    }
}
