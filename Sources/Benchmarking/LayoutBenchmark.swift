import TensorCore
/// The measurement behind the activation layout: for ResNet-50's convolution GEMMs, one GEMM
/// over the whole batch (channel-major [C, N, H, W]: Y[Cout, N·H·W] = W · col[K, N·H·W])
/// against one GEMM per image (batch-major [N, C, H, W]: Y_n[Cout, H·W] = W · col_n[K, H·W]).
/// Both do the same arithmetic; they differ in the GEMM's n dimension, which is only 49 at
/// ResNet-50's last stage when each image is its own product.
///
/// ```swift
/// for r in LayoutBenchmark.run() {
///     print(r.shape.name, r.channelMajorGFLOPS, r.batchMajorGFLOPS)
/// }
/// ```
package enum LayoutBenchmark {
    /// One convolution's forward GEMM: Y[outChannels, ·] = W[outChannels, reduction] · col[reduction, ·].
    package struct Shape: Sendable {
        package let name: String
        /// GEMM m: output channels.
        package let outChannels: Int
        /// GEMM k: Cin·kh·kw.
        package let reduction: Int
        /// Output positions per image, Ho·Wo.
        package let positions: Int

        package init(name: String, outChannels: Int, reduction: Int, positions: Int) {
            (self.name, self.outChannels, self.reduction, self.positions) = (name, outChannels, reduction, positions)
        }
    }

    /// Throughput of both layouts for one shape.
    package struct Result: Sendable {
        package let shape: Shape
        package let batch: Int
        /// GFLOP/s (2·m·n·k per second, 10⁹) of one GEMM over batch·positions columns.
        package let channelMajorGFLOPS: Double
        /// GFLOP/s of `batch` GEMMs over `positions` columns each.
        package let batchMajorGFLOPS: Double
    }

    /// ResNet-50's distinct forward convolution GEMMs at 224×224 input.
    package static let resNet50Shapes: [Shape] = [
        Shape(name: "conv1 7x7/2 3->64", outChannels: 64, reduction: 3 * 49, positions: 112 * 112),
        Shape(name: "layer1 1x1 256->64", outChannels: 64, reduction: 256, positions: 56 * 56),
        Shape(name: "layer1 3x3 64->64", outChannels: 64, reduction: 64 * 9, positions: 56 * 56),
        Shape(name: "layer1 1x1 64->256", outChannels: 256, reduction: 64, positions: 56 * 56),
        Shape(name: "layer2 3x3 128->128", outChannels: 128, reduction: 128 * 9, positions: 28 * 28),
        Shape(name: "layer3 3x3 256->256", outChannels: 256, reduction: 256 * 9, positions: 14 * 14),
        Shape(name: "layer4 3x3 512->512", outChannels: 512, reduction: 512 * 9, positions: 7 * 7),
        Shape(name: "layer4 1x1 512->2048", outChannels: 2048, reduction: 512, positions: 7 * 7),
    ]

    /// Times both layouts for each shape (the fastest of `repetitions` alternating runs after a
    /// warm-up),
    /// with the current `Threading.threadCount`. Allocates the operands of the largest shape
    /// (about 0.5 GB for layer1 3×3 at batch 32).
    package static func run(shapes: [Shape] = resNet50Shapes, batch: Int = 32, repetitions: Int = 5) -> [Result] {
        shapes.map { shape in
            let (m, k, positions) = (shape.outChannels, shape.reduction, shape.positions)
            let columns = batch * positions
            let weight = Tensor(shape: [m, k], repeating: 0.01)
            // The same memory serves both layouts: [K, N·P] as one matrix, or N blocks [K, P].
            let column = Tensor(shape: [k, columns], repeating: 0.01)
            let output = Tensor(uninitializedShape: [m, columns])
            func channelMajor() {
                sgemm(m: m, n: columns, k: k, a: weight.data, lda: k,
                      b: column.data, ldb: columns, c: output.data, ldc: columns)
            }
            func batchMajor() {
                for image in 0..<batch {
                    sgemm(m: m, n: positions, k: k, a: weight.data, lda: k,
                          b: column.data + image * k * positions, ldb: positions,
                          c: output.data + image * m * positions, ldc: positions)
                }
            }
            // A warm-up run of each (page faults, thread start-up), then alternating timed runs,
            // so that a burst of load from elsewhere on the machine hits both layouts alike.
            channelMajor()
            batchMajor()
            var fastest = (channelMajor: Double.infinity, batchMajor: Double.infinity)
            for _ in 0..<max(1, repetitions) {
                fastest.channelMajor = min(fastest.channelMajor, Stopwatch.seconds(channelMajor))
                fastest.batchMajor = min(fastest.batchMajor, Stopwatch.seconds(batchMajor))
            }
            let gigaflop = 2 * Double(m) * Double(columns) * Double(k) * 1e-9
            return Result(shape: shape, batch: batch,
                          channelMajorGFLOPS: gigaflop / fastest.channelMajor,
                          batchMajorGFLOPS: gigaflop / fastest.batchMajor)
        }
    }
}
