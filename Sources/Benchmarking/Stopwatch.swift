import Dispatch

/// Wall-clock time since creation, from the monotonic clock.
package struct Stopwatch {
    private let start = DispatchTime.now().uptimeNanoseconds

    package init() {}

    /// Seconds since the stopwatch was made.
    package var elapsedSeconds: Double { Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9 }

    /// The wall time of one run of `body`, in seconds.
    package static func seconds(_ body: () -> Void) -> Double {
        let watch = Stopwatch()
        body()
        return watch.elapsedSeconds
    }
}
