import TensorCore
/// Wall-clock times of repeated runs of one piece of work, in seconds.
package struct TimingSummary: Equatable, Sendable {
    /// Each timed run's duration, in run order (warm-ups excluded).
    package var samples: [Double]

    package init(samples: [Double]) {
        precondition(!samples.isEmpty, "TimingSummary: no samples")
        self.samples = samples
    }

    /// The fastest run: the least disturbed by other work on the machine.
    package var best: Double { samples.min()! }

    /// The middle run (the mean of the two middle ones for an even count).
    package var median: Double {
        let sorted = samples.sorted(), middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}

/// Times a piece of work: untimed warm-up runs first (page faults, thread-pool start, caches),
/// then `repetitions` timed runs. Set-up and allocation belong outside `body`.
///
/// ```swift
/// let t = RepeatedTiming.measure(warmups: 1, repetitions: 5) { sgemm(...) }
/// print(2 * m * n * k / t.best / 1e9, "GFLOP/s")
/// ```
package enum RepeatedTiming {
    package static func measure(warmups: Int = 1, repetitions: Int, _ body: () -> Void) -> TimingSummary {
        precondition(warmups >= 0 && repetitions >= 1,
                     "RepeatedTiming: need warmups ≥ 0 and repetitions ≥ 1, got \(warmups), \(repetitions)")
        for _ in 0..<warmups { body() }
        let clock = ContinuousClock()
        let samples = (0..<repetitions).map { _ in
            let elapsed = clock.measure(body)
            return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        }
        return TimingSummary(samples: samples)
    }
}
