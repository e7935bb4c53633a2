import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Where a training step's time goes, by kind of operation, for `clsa bench`'s breakdown.
///
/// Off (the default), it costs one branch per operation. On, time is cut into spans at op
/// boundaries on the thread that builds the graph: the span that ends when an op records itself
/// (`Tensor.recordingGradient`, called by every op after its forward computation, with
/// gradients on or off) is that op's forward pass; each backward node is timed as a whole; and
/// `measure` carves explicit regions out of whatever encloses them (a convolution's GEMMs and
/// its im2col, the optimiser, the momentum update), so every second is counted once. Time
/// between ops that no op claims (a queue update, say) goes to `other` at `stop()`. It also
/// counts multiply-adds, from which a step's nominal FLOPs follow. Calls from other threads (a
/// convolution that runs a share of its images on each thread) are not counted: the thread
/// that started the profile stands for the others, which do the same work at the same time.
public enum OpProfile {
    /// The kinds a step's time is split into (`clsa bench` prints `..._seconds_KIND`).
    public enum Kind: String, CaseIterable, Sendable {
        case convolutionGEMM = "convolution_gemm"
        case im2col = "im2col_col2im"
        case winogradTransform = "winograd_transform"
        case batchNorm = "batch_norm"
        case elementwise
        case linear
        case pooling
        case loss
        case optimizer
        case momentumUpdate = "momentum_update"
        /// Collectives of a data-parallel step (gradient all-reduce, key gathers), waiting for
        /// the slowest rank included.
        case collective
        case other

        /// The kind of the op that records itself under `name` (`Tensor.recordingGradient`).
        /// A convolution's own span is what remains of it outside its GEMMs and im2col.
        init(operation name: String) {
            switch name {
            case "conv2d": self = .convolutionGEMM
            case "batchNorm2d", "batchNorm2d+relu", "batchNorm2d+add", "batchNorm2d+add+relu": self = .batchNorm
            case "relu", "add", "mul", "scale", "sum", "reshape", "concatenate": self = .elementwise
            case "linear", "matmul": self = .linear
            case "maxPool2d", "globalAveragePool": self = .pooling
            case "contrastiveLogits", "softmax", "logSoftmax", "crossEntropy", "softCrossEntropy", "l2Normalized":
                self = .loss
            default: self = .other
            }
        }
    }

    nonisolated(unsafe) public private(set) static var isEnabled = false
    /// The thread that called `start()`, the only one whose calls are counted.
    nonisolated(unsafe) private static var profilingThread = pthread_self()
    /// Multiply-adds of the convolutions and matrix products run since `start()`.
    nonisolated(unsafe) public private(set) static var multiplyAdds = 0
    /// The part of `multiplyAdds` run while the graph was recorded: forward passes that also
    /// have a backward pass (twice their multiply-adds, for the inputs and the weights).
    nonisolated(unsafe) public private(set) static var recordedMultiplyAdds = 0
    /// Parallel loops run on the worker pool since `start()` (`WorkerPool.run`).
    nonisolated(unsafe) public private(set) static var parallelLoops = 0
    /// Seconds the profiling thread spent in those loops waiting, after its own piece, for the
    /// workers to finish theirs: what uneven pieces and late workers cost. Already counted in
    /// the kinds' seconds, in whichever kind ran the loop.
    nonisolated(unsafe) public private(set) static var joinWaitSeconds = 0.0
    nonisolated(unsafe) private static var seconds = [Double](repeating: 0, count: Kind.allCases.count)
    /// When the span not yet attributed began, in nanoseconds.
    nonisolated(unsafe) private static var spanStart: UInt64 = 0

    /// Clears the totals and starts attributing time.
    public static func start() {
        seconds = [Double](repeating: 0, count: Kind.allCases.count)
        (multiplyAdds, recordedMultiplyAdds) = (0, 0)
        (parallelLoops, joinWaitSeconds) = (0, 0)
        profilingThread = pthread_self()
        isEnabled = true
        spanStart = now()
    }

    /// Stops attributing time and returns the seconds of each kind since `start()`.
    public static func stop() -> [Kind: Double] {
        endSpan(as: .other)
        isEnabled = false
        return Dictionary(uniqueKeysWithValues: Kind.allCases.enumerated().map { ($1, seconds[$0]) })
    }

    /// Counts the multiply-adds of a forward convolution or matrix product.
    public static func countMultiplyAdds(_ count: Int) {
        guard isCounting else { return }
        multiplyAdds += count
        if GradientMode.isEnabled { recordedMultiplyAdds += count }
    }

    /// Counts a parallel loop whose caller began waiting for its workers at `waitStart`
    /// (`now()`'s clock, nanoseconds).
    static func countParallelLoop(waitingSince waitStart: UInt64) {
        guard isCounting else { return }
        parallelLoops += 1
        joinWaitSeconds += Double(now() &- waitStart) * 1e-9
    }

    /// Attributes the time since the last boundary to `kind`.
    static func endSpan(as kind: Kind) {
        guard isCounting else { return }
        let time = now()
        seconds[Self.index(kind)] += Double(time &- spanStart) * 1e-9
        spanStart = time
    }

    /// Runs `body`, attributing its time (less any region nested in it) to `kind` and none of
    /// it to the span that encloses it.
    public static func measure<Result>(_ kind: Kind, _ body: () throws -> Result) rethrows -> Result {
        guard isCounting else { return try body() }
        let entry = now()
        let enclosingElapsed = entry &- spanStart
        spanStart = entry
        defer {
            let exit = now()
            seconds[Self.index(kind)] += Double(exit &- spanStart) * 1e-9
            spanStart = exit &- enclosingElapsed
        }
        return try body()
    }

    /// On, and called on the profiling thread.
    private static var isCounting: Bool { isEnabled && pthread_equal(pthread_self(), profilingThread) != 0 }

    private static func index(_ kind: Kind) -> Int { Kind.allCases.firstIndex(of: kind)! }

    static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }
}
