import Benchmarking
import CLSA
import Foundation
import TensorCore

/// The pretraining-step sections of `clsa bench`: whole CLSA and MoCo v2 steps on synthetic
/// views (`TrainingStepBenchmark`), at all threads and at one. Each runs in a process of its
/// own, so its `_peak_rss_mb` is its own.
extension BenchSection {
    /// The `fashion-mnist` preset's CLSA-Single and MoCo v2 (β = 0) steps.
    static let fashionMNIST = BenchSection(name: "fashion-mnist", runsAlone: true) { settings, results in
        let preset = PretrainingPreset.fashionMNIST.configuration
        var moco = preset
        moco.beta = 0
        try reportSteps("fashion_mnist_clsa_single", preset, settings, results)
        try reportSteps("fashion_mnist_moco", moco, settings, results)
    }

    /// The paper's CLSA-Single step on ResNet-50 at batch 32: keys and weak queries at 224 px,
    /// the strong query at 96 px, K 65536.
    static let clsaSingle = BenchSection(name: "clsa-single", runsAlone: true, workload: .wide) { settings, results in
        try reportSteps("clsa_single", paperStep(PretrainingPreset.paperSingle), settings, results)
    }

    /// The paper's CLSA-Multi step: strong queries at 224, 192, 160, 128 and 96 px.
    static let clsaMulti = BenchSection(name: "clsa-multi", runsAlone: true, workload: .wide) { settings, results in
        try reportSteps("clsa_multi", paperStep(PretrainingPreset.paperMulti), settings, results)
    }

    private static func paperStep(_ preset: PretrainingPreset) -> PretrainingConfiguration {
        var configuration = preset.configuration
        configuration.batchSize = 32
        return configuration
    }

    /// Prints PREFIX_images_per_s, _effective_gflops, _gflop_per_image, the ratio to the sgemm
    /// peak (the run's, or a 2048³ re-check if higher), the tensor storages a step allocates
    /// outside `StoragePool` and the most tensor memory it holds at once (`_peak_tensor_mb`),
    /// the step's time shares by kind, and the one-thread figures with `_1_thread` and their
    /// ratio, `_thread_scaling`, also per kind (`_thread_scaling_KIND`). On several ranks
    /// (`settings.processGroup`), at this process's thread count only and without the sgemm
    /// comparison (the ranks share the cores).
    private static func reportSteps(_ prefix: String, _ configuration: PretrainingConfiguration,
                                    _ settings: BenchSettings, _ results: BenchResults) throws {
        let all = Threading.threadCount, distributed = settings.processGroup.isDistributed
        let threadCounts = all > 1 && !distributed ? [all, 1] : [all]
        let measured = try TrainingStepBenchmark.measure(configuration, threadCounts: threadCounts,
                                                         warmups: settings.stepWarmups, repetitions: settings.stepRepetitions,
                                                         processGroup: settings.processGroup)
        let full = measured[0]
        BenchReport.line("\(prefix)_blas_core", BLASKernel.inUse)
        BenchReport.line("\(prefix)_images_per_s", String(format: "%.2f", full.imagesPerSecond))
        BenchReport.line("\(prefix)_gflop_per_image", String(format: "%.3f", full.flopsPerImage / 1e9))
        BenchReport.line("\(prefix)_effective_gflops", String(format: "%.1f", full.effectiveGigaflops))
        reportShares(prefix, full)
        guard !distributed else { return }
        let recheck = GEMMBenchmark.measure(GEMMShape(m: 2048, k: 2048, n: 2048), warmups: 1,
                                            repetitions: settings.repetitions).bestGigaflops
        let peak = max(results.sgemmPeakGigaflops ?? 0, recheck)
        BenchReport.line("\(prefix)_sgemm_peak_gflops", String(format: "%.1f", peak))
        BenchReport.line("\(prefix)_ratio_to_sgemm_peak", String(format: "%.3f", full.effectiveGigaflops / peak))
        BenchReport.line("\(prefix)_storage_allocations_outside_pool_per_step",
                         String(format: "%.0f", full.systemAllocationsPerStep))
        BenchReport.line("\(prefix)_peak_tensor_mb", String(format: "%.0f", Double(full.peakTensorBytes) / 1_048_576))
        if let single = measured.dropFirst().first {
            BenchReport.line("\(prefix)_images_per_s_1_thread", String(format: "%.2f", single.imagesPerSecond))
            BenchReport.line("\(prefix)_effective_gflops_1_thread", String(format: "%.1f", single.effectiveGigaflops))
            BenchReport.line("\(prefix)_thread_scaling", String(format: "%.2f", full.imagesPerSecond / single.imagesPerSecond))
            reportKindScaling(prefix, full: full, single: single)
        }
    }

    /// PREFIX_thread_scaling_KIND: each kind's seconds per step at one thread over its seconds at
    /// all threads, for the kinds that took at least 0.5 % of the step: which of them hold the
    /// step's scaling back.
    private static func reportKindScaling(_ prefix: String, full: TrainingStepBenchmark.Result,
                                          single: TrainingStepBenchmark.Result) {
        let stepSeconds = full.secondsByKind.values.reduce(0, +)
        for kind in OpProfile.Kind.allCases {
            guard let seconds = full.secondsByKind[kind], let singleSeconds = single.secondsByKind[kind],
                  seconds >= 0.005 * stepSeconds else { continue }
            BenchReport.line("\(prefix)_thread_scaling_\(kind.rawValue)", String(format: "%.2f", singleSeconds / seconds))
        }
    }

    /// PREFIX_time_share_KIND: the step's time by kind of operation, as fractions; then the
    /// worker pool's parallel loops per step and the fraction of the step the calling thread
    /// spent waiting in them for the workers (`_join_wait_share`, part of the kinds' shares).
    private static func reportShares(_ prefix: String, _ result: TrainingStepBenchmark.Result) {
        let stepSeconds = result.secondsByKind.values.reduce(0, +)
        for kind in OpProfile.Kind.allCases {
            BenchReport.line("\(prefix)_time_share_\(kind.rawValue)",
                             String(format: "%.3f", (result.secondsByKind[kind] ?? 0) / stepSeconds))
        }
        BenchReport.line("\(prefix)_parallel_loops_per_step", String(format: "%.0f", result.parallelLoopsPerStep))
        BenchReport.line("\(prefix)_join_wait_share", String(format: "%.3f", result.joinWaitSeconds / stepSeconds))
    }
}
