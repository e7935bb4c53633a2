import Dispatch

/// Wall-clock time since creation, from the monotonic clock; for the benchmarks.
struct Stopwatch {
    private let start = DispatchTime.now().uptimeNanoseconds

    /// Seconds since the stopwatch was made.
    var elapsedSeconds: Double { Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9 }

    /// The shortest wall time of `repetitions` runs of `body`, after one untimed warm-up run
    /// (first-touch page faults and thread start-up would otherwise dominate).
    static func fastest(of repetitions: Int, _ body: () -> Void) -> Double {
        body()
        var best = Double.infinity
        for _ in 0..<max(1, repetitions) {
            let watch = Stopwatch()
            body()
            best = min(best, watch.elapsedSeconds)
        }
        return best
    }
}
