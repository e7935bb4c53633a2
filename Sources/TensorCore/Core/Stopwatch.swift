import Dispatch

/// Wall-clock time since creation, from the monotonic clock; for the benchmarks.
struct Stopwatch {
    private let start = DispatchTime.now().uptimeNanoseconds

    /// Seconds since the stopwatch was made.
    var elapsedSeconds: Double { Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9 }

    /// The wall time of one run of `body`, in seconds.
    static func seconds(_ body: () -> Void) -> Double {
        let watch = Stopwatch()
        body()
        return watch.elapsedSeconds
    }
}
