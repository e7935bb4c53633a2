import CLSA
import TensorCore

/// Whole pretraining steps (`CLSATrainer.step`: keys, queries, loss, backward, SGD, momentum
/// update, enqueue) on synthetic views: images/s at each thread count, the step's nominal FLOPs
/// and where its time goes (`OpProfile`).
///
/// Nominal FLOPs follow the rule: 2 per multiply-add; each forward pass counts its
/// convolutions, linear layers and contrastive logits once and each pass that is
/// back-propagated counts them twice more. The counts come from one profiled step, so they
/// follow whatever the configuration runs (strong views, symmetric loss, queue size).
package enum TrainingStepBenchmark {
    package struct Result: Sendable {
        package let threads: Int
        /// Each timed step's duration, in seconds.
        package let stepSeconds: TimingSummary
        /// Images of the (global) batch per second of the median step.
        package let imagesPerSecond: Double
        /// Nominal FLOPs of one image's share of a step.
        package let flopsPerImage: Double
        /// Seconds of one step by kind of operation (from steps timed apart from `stepSeconds`).
        package let secondsByKind: [OpProfile.Kind: Double]
        /// Parallel loops per step on the worker pool, and the seconds per step the calling
        /// thread waited in them for the workers (`OpProfile.joinWaitSeconds`).
        package let parallelLoopsPerStep: Double
        package let joinWaitSeconds: Double
        /// Tensor storages per step that did not come from `StoragePool` (after the warm-up).
        package let systemAllocationsPerStep: Double
        /// The most bytes of tensor storage in use at once during a step (`StoragePool`'s
        /// high-water mark over the profiled steps): what the step needs, before the pool's idle
        /// blocks and the system allocator's overhead.
        package let peakTensorBytes: Int

        package var effectiveGigaflops: Double { imagesPerSecond * flopsPerImage / 1e9 }
    }

    /// Measures `configuration`'s step at each of `threadCounts`. The thread counts alternate
    /// step by step (`warmups` rounds untimed, then `repetitions` timed), so drift of the host
    /// hits each alike; then, per thread count, one untimed step and two profiled steps give
    /// the breakdown. On the ranks of a `processGroup`, each steps its share of the batch (FLOPs
    /// per image are one rank's, images/s the whole batch's, the breakdown rank 0's; replicas on
    /// threads of this process keep the thread count their group set).
    package static func measure(_ configuration: PretrainingConfiguration, threadCounts: [Int],
                               warmups: Int, repetitions: Int,
                               processGroup: any ProcessGroup = SingleProcessGroup()) throws -> [Result] {
        precondition(!threadCounts.isEmpty && repetitions >= 1, "TrainingStepBenchmark: nothing to measure")
        // Replicas on threads of this process run at the thread count their group set (1), and
        // only rank 0 profiles (`OpProfile` counts one thread).
        let setsThreads = !processGroup.ranksShareProcess, profiles = processGroup.rank == 0
        let restoredThreads = Threading.threadCount
        defer { if setsThreads { Threading.setThreadCount(restoredThreads) } }
        func use(_ threads: Int) { if setsThreads { Threading.setThreadCount(threads) } }
        let trainer = try CLSATrainer(configuration: configuration, stepsPerEpoch: 1_000, processGroup: processGroup)
        var random = SeededRandom(seed: UInt64(processGroup.rank))
        let batch = configuration.batchSize / processGroup.size
        let views = trainer.viewLayout.viewShapes.map { shape in
            Tensor(shape: [batch, 3, shape.height, shape.width],
                   scalars: (0..<(batch * 3 * shape.height * shape.width)).map { _ in Float(random.normal()) })
        }
        func step() throws { _ = try trainer.step(views: views) }

        for _ in 0..<warmups {
            for threads in threadCounts { use(threads); try step() }
        }
        let clock = ContinuousClock()
        var samples = [[Double]](repeating: [], count: threadCounts.count)
        for _ in 0..<repetitions {
            for (index, threads) in threadCounts.enumerated() {
                use(threads)
                let elapsed = try clock.measure { try step() }
                samples[index].append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
            }
        }
        return try threadCounts.enumerated().map { index, threads in
            use(threads)
            // The first step after a change of thread count pays for waking and warming the
            // threads: profiled, it inflated the join wait (0.126 of a `fashion-mnist` step
            // against 0.019) and BatchNorm's share (0.099 against 0.060; BENCHMARKS.md).
            try step()
            let profiledSteps = 2
            let allocationsBefore = StoragePool.shared.systemAllocationCount
            StoragePool.shared.resetPeakLiveBytes()
            if profiles { OpProfile.start() }
            for _ in 0..<profiledSteps { try step() }
            let (forward, recorded) = profiles ? (OpProfile.multiplyAdds, OpProfile.recordedMultiplyAdds) : (0, 0)
            let (loops, joinWait) = profiles ? (OpProfile.parallelLoops, OpProfile.joinWaitSeconds) : (0, 0)
            let seconds = profiles ? OpProfile.stop().mapValues { $0 / Double(profiledSteps) } : [:]
            let allocations = StoragePool.shared.systemAllocationCount - allocationsBefore
            let timing = TimingSummary(samples: samples[index])
            return Result(threads: threads, stepSeconds: timing,
                          imagesPerSecond: Double(configuration.batchSize) / timing.median,
                          flopsPerImage: 2 * Double(forward + 2 * recorded) / Double(profiledSteps * batch),
                          secondsByKind: seconds,
                          parallelLoopsPerStep: Double(loops) / Double(profiledSteps),
                          joinWaitSeconds: joinWait / Double(profiledSteps),
                          systemAllocationsPerStep: Double(allocations) / Double(profiledSteps),
                          peakTensorBytes: StoragePool.shared.peakLiveByteCount)
        }
    }
}
