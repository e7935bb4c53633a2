import TensorCore
/// The sizes of one matrix product C[m×n] = A[m×k] · B[k×n].
package struct GEMMShape: Equatable, Sendable, CustomStringConvertible {
    package var m: Int
    package var k: Int
    package var n: Int

    package init(m: Int, k: Int, n: Int) {
        self.m = m
        self.k = k
        self.n = n
    }

    /// "MxKxN", the order the benchmark's line names use.
    package var description: String { "\(m)x\(k)x\(n)" }

    /// Floating-point operations of one product: a multiply and an add per (i, j, p).
    package var flops: Double { 2 * Double(m) * Double(k) * Double(n) }
}

/// One shape's sgemm timing.
package struct GEMMMeasurement: Equatable, Sendable {
    package var shape: GEMMShape
    package var timing: TimingSummary

    /// Throughput of the fastest run, in GFLOP/s.
    package var bestGigaflops: Double { shape.flops / timing.best / 1e9 }
    /// Throughput of the median run, in GFLOP/s.
    package var medianGigaflops: Double { shape.flops / timing.median / 1e9 }
}

/// sgemm throughput at the GEMM shapes a ResNet-50 training step runs.
///
/// ```swift
/// for shape in GEMMBenchmark.resnet50Shapes {
///     print(shape, GEMMBenchmark.measure(shape, repetitions: 5).bestGigaflops)
/// }
/// ```
package enum GEMMBenchmark {
    /// ResNet-50's convolutions at batch 32 on 224×224 images in the channel-major layout,
    /// W[Cout × Cin·kh·kw] · col[Cin·kh·kw × N·Ho·Wo], plus a square product:
    /// conv1 7×7 (64×147×401408); layer1 3×3 (64×576×100352) and 1×1 (256×64×100352,
    /// 64×256×100352); layer2 3×3 (128×1152×25088); layer3 3×3 (256×2304×6272);
    /// layer4 3×3 (512×4608×1568) and 1×1 (2048×512×1568, 512×2048×1568); 2048×2048×2048.
    package static let resnet50Shapes: [GEMMShape] = [
        GEMMShape(m: 64, k: 147, n: 401_408),
        GEMMShape(m: 64, k: 576, n: 100_352),
        GEMMShape(m: 256, k: 64, n: 100_352),
        GEMMShape(m: 64, k: 256, n: 100_352),
        GEMMShape(m: 128, k: 1152, n: 25088),
        GEMMShape(m: 256, k: 2304, n: 6272),
        GEMMShape(m: 512, k: 4608, n: 1568),
        GEMMShape(m: 2048, k: 512, n: 1568),
        GEMMShape(m: 512, k: 2048, n: 1568),
        GEMMShape(m: 2048, k: 2048, n: 2048),
    ]

    /// Times `sgemm` (no transposes, β = 0) at `shape` on `Threading.threadCount` threads.
    /// The operands (4·(m·k + k·n + m·n) bytes) are allocated and filled before the timing
    /// and freed on return.
    package static func measure(_ shape: GEMMShape, warmups: Int = 1, repetitions: Int) -> GEMMMeasurement {
        let a = TensorStorage(uninitializedCount: shape.m * shape.k)
        let b = TensorStorage(uninitializedCount: shape.k * shape.n)
        let c = TensorStorage(uninitializedCount: shape.m * shape.n)
        // Small values of both signs: no overflow, and no zeros or denormals that could
        // take a different path through the FPU than real activations.
        fill(a, period: 251)
        fill(b, period: 241)
        let timing = RepeatedTiming.measure(warmups: warmups, repetitions: repetitions) {
            sgemm(m: shape.m, n: shape.n, k: shape.k, a: a.base, lda: shape.k,
                  b: b.base, ldb: shape.n, c: c.base, ldc: shape.n)
        }
        return GEMMMeasurement(shape: shape, timing: timing)
    }

    /// Fills with i mod period / period − ½, never zero for an odd period.
    private static func fill(_ storage: TensorStorage, period: Int) {
        let scale = 1 / Float(period), base = storage.base
        Threading.parallelRanges(storage.count, minimumChunk: 1 << 16) { range in
            for i in range { base[i] = Float(i % period) * scale - 0.5 }
        }
    }
}
