import ArgumentParser
import Benchmarking
import CLSA
import Foundation
import TensorCore

/// `clsa bench`: measures this machine for training, one `name: value` line per figure on
/// stdout, in `sections` order, then `peak_rss_mb`.
struct BenchCommand: ParsableCommand, BLASWorkloadCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure this machine: OpenBLAS kernel, sgemm throughput at ResNet-50's shapes, ResNet-50 training speed, "
            + "and whole CLSA and MoCo v2 pretraining steps.",
        discussion: "Prints one 'name: value' line per figure. GFLOP/s figures are the best of several timed runs after a "
            + "warm-up; pretraining-step figures are the median of 5 steps after 2 warm-ups, at all threads and at one, "
            + "each step section in a process of its own (its peak RSS its own).")

    /// The report, in order. A new set of figures is one more `BenchSection` here.
    static let sections: [BenchSection] = [.machine, .parallelLoop, .sgemm, .resnet50, .fashionMNIST, .clsaSingle, .clsaMulti]

    @Option(help: "Threads for OpenBLAS and the parallel loops (default: all cores).")
    var threads: Int?

    @Flag(help: "Two timed runs per figure instead of five: rougher figures, sooner.")
    var quick = false

    @Option(name: .customLong("only"), help: "Run only these sections (machine, parallel-loop, sgemm, resnet50, fashion-mnist, clsa-single, clsa-multi); repeatable.")
    var onlySections: [String] = []

    @Option(help: "Measure the step sections data-parallel: `threads` on one replica per --threads in this process, `mpi` on the ranks of an MPI job (`mpirun -np N clsa bench --distributed mpi --only fashion-mnist`); each rank steps its share of the batch, and rank 0 reports, with the collectives' share of the step.")
    var distributed: DistributedBackend?

    /// Set in the child process that runs one `runsAlone` section: the parent's sgemm peak.
    @Option(help: .hidden)
    var sectionProcessSgemmPeak: Double?

    func validate() throws {
        if let threads, threads < 1 {
            throw ValidationError("--threads must be at least 1, got \(threads)")
        }
        let known = Self.sections.map(\.name)
        for name in onlySections where !known.contains(name) {
            throw ValidationError("unknown section '\(name)' for --only (expected one of: \(known.joined(separator: ", ")))")
        }
    }

    /// `.wide` when every section asked for is (ResNet-50's): a step section's own process
    /// runs its section's kernel, and reports it (`PREFIX_blas_core`).
    var blasWorkload: BLASWorkload {
        let chosen = Self.sections.filter { onlySections.contains($0.name) }
        return !chosen.isEmpty && chosen.allSatisfy { $0.workload == .wide } ? .wide : .general
    }

    func run() throws {
        if let threads { Threading.setThreadCount(threads) }
        var settings = quick ? BenchSettings(warmups: 1, repetitions: 2, stepWarmups: 1, stepRepetitions: 2)
            : BenchSettings(warmups: 1, repetitions: 5, stepWarmups: 2, stepRepetitions: 5)
        var results = BenchResults()
        switch distributed {
        case .mpi:
            settings.processGroup = try DistributedBackend.mpiProcessGroup()
            return try runDistributed(settings, &results)
        case .threads:
            let shared = settings
            return try ThreadProcessGroup.run(replicas: Threading.threadCount) { group in
                var replica = shared
                replica.processGroup = group
                var replicaResults = BenchResults()
                try runDistributed(replica, &replicaResults)
            }
        case nil:
            break
        }
        if let peak = sectionProcessSgemmPeak {
            results.sgemmPeakGigaflops = peak > 0 ? peak : nil
            for section in Self.sections where onlySections.contains(section.name) {
                try section.run(settings, &results)
                BenchReport.line("\(section.name.replacingOccurrences(of: "-", with: "_"))_peak_rss_mb",
                                 String(format: "%.0f", PeakMemory.residentMegabytes))
            }
            return
        }
        for section in Self.sections where onlySections.isEmpty || onlySections.contains(section.name) {
            if section.runsAlone {
                try runInChildProcess(section, sgemmPeak: results.sgemmPeakGigaflops)
            } else {
                try section.run(settings, &results)
            }
        }
        BenchReport.line("peak_rss_mb", String(format: "%.0f", PeakMemory.residentMegabytes))
    }

    /// The step sections asked for, in this process, on every rank; rank 0 reports.
    private func runDistributed(_ settings: BenchSettings, _ results: inout BenchResults) throws {
        let stepSections = Self.sections.filter(\.runsAlone)
        guard !onlySections.isEmpty, onlySections.allSatisfy({ name in stepSections.contains { $0.name == name } }) else {
            throw ValidationError("--distributed measures the step sections only: choose among "
                                  + "\(stepSections.map(\.name).joined(separator: ", ")) with --only")
        }
        let chosen = stepSections.filter { onlySections.contains($0.name) }
        BenchReport.silenced.isSet = settings.processGroup.rank != 0
        try BenchSection.machine.run(settings, &results)
        BenchReport.line("processes", "\(settings.processGroup.size)")
        BenchReport.line("ranks_share_process", "\(settings.processGroup.ranksShareProcess)")
        for section in chosen { try section.run(settings, &results) }
        BenchReport.line("peak_rss_mb_rank_0", String(format: "%.0f", PeakMemory.residentMegabytes))
    }

    /// Runs `section` in a new `clsa bench` process with this one's settings, its report going
    /// straight to this process's stdout. It starts from the user's environment, before this
    /// process's relaunch, so that it picks OpenBLAS's kernel for its own section.
    private func runInChildProcess(_ section: BenchSection, sgemmPeak: Double?) throws {
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/proc/self/exe")
        child.environment = OpenBLASEnvironment.environmentBeforeRelaunch(ProcessInfo.processInfo.environment)
        child.arguments = ["bench", "--only", section.name, "--section-process-sgemm-peak", String(sgemmPeak ?? 0)]
            + (threads.map { ["--threads", String($0)] } ?? []) + (quick ? ["--quick"] : [])
        try child.run()
        child.waitUntilExit()
        guard child.terminationReason == .exit, child.terminationStatus == 0 else {
            throw ValidationError("bench section '\(section.name)' failed in its own process (status \(child.terminationStatus))")
        }
    }
}

/// How hard each timed figure is measured.
struct BenchSettings {
    /// Untimed runs before the timed ones.
    var warmups: Int
    /// Timed runs; the figure is their best.
    var repetitions: Int
    /// Untimed pretraining steps at each thread count before the timed ones.
    var stepWarmups: Int
    /// Timed pretraining steps at each thread count; the figure is their median.
    var stepRepetitions: Int
    /// The ranks the step sections run on (`--distributed`; one process by default).
    var processGroup: any ProcessGroup = SingleProcessGroup()
}

/// The report's output: `name: value` lines, flushed one by one so a long run shows progress.
enum BenchReport {
    /// Set on the ranks other than 0 of a distributed bench (on their thread), which measure
    /// but do not report.
    static let silenced = ThreadLocalFlag()

    static func line(_ name: String, _ value: String) {
        guard !silenced.isSet else { return }
        print("\(name): \(value)")
        fflush(stdout)
    }
}

/// A named group of report lines.
struct BenchSection: Sendable {
    let name: String
    /// Whether the section runs in a process of its own (`clsa bench` starts one per section).
    var runsAlone = false
    /// The GEMMs it measures, for OpenBLAS's kernel when it runs alone (`BLASWorkloadCommand`).
    var workload = BLASWorkload.general
    let run: @Sendable (BenchSettings, inout BenchResults) throws -> Void
}

/// Figures that later sections compare against (e.g. the training step against sgemm's peak).
struct BenchResults {
    var sgemmPeakGigaflops: Double?
}

extension BenchSection {
    /// The CPU, OpenBLAS's kernel (and the one the CPU supports) and the thread count.
    static let machine = BenchSection(name: "machine") { _, _ in
        BenchReport.line("cpu_model", CPUFeatures.current?.modelName ?? "unknown")
        BenchReport.line("blas_core", BLASKernel.inUse)
        BenchReport.line("blas_core_recommended", BLASKernel.recommended ?? "none")
        BenchReport.line("threads", "\(Threading.threadCount)")
    }

    /// How well a parallel loop of pieces of up to 10 µs uses every thread (`ParallelLoopBenchmark`):
    /// its speedup over one piece and the microseconds it costs beyond one, on the worker pool's
    /// spinning threads, the same waking sleeping ones, and Dispatch's.
    static let parallelLoop = BenchSection(name: "parallel-loop") { _, _ in
        let timing = ParallelLoopBenchmark.measure()
        BenchReport.line("parallel_loop_piece_microseconds", String(format: "%.2f", timing.pieceMicroseconds))
        for (suffix, figure) in [("", timing.spinning), ("_waking", timing.waking), ("_dispatch", timing.dispatch)] {
            BenchReport.line("parallel_loop_speedup\(suffix)", String(format: "%.2f", figure.speedup))
            BenchReport.line("parallel_loop_overhead_microseconds\(suffix)",
                             String(format: "%.2f", figure.overheadMicroseconds))
        }
    }

    /// sgemm GFLOP/s at each of `GEMMBenchmark.resnet50Shapes` (`sgemm_gflops_MxKxN`), and the best.
    static let sgemm = BenchSection(name: "sgemm", workload: .wide) { settings, results in
        var peak = 0.0
        for shape in GEMMBenchmark.resnet50Shapes {
            let measurement = GEMMBenchmark.measure(shape, warmups: settings.warmups,
                                                    repetitions: settings.repetitions)
            peak = max(peak, measurement.bestGigaflops)
            BenchReport.line("sgemm_gflops_\(shape)", String(format: "%.1f", measurement.bestGigaflops))
        }
        BenchReport.line("sgemm_peak_gflops", String(format: "%.1f", peak))
        results.sgemmPeakGigaflops = peak
    }

    /// ResNet-50 at batch 32, 224×224: inference and training images/s, the training step's
    /// effective GFLOP/s (24.5 GFLOP per image) and its ratio to the sgemm peak of this run
    /// (the higher of the sgemm section's and a 2048³ re-check right after the step).
    static let resnet50 = BenchSection(name: "resnet50", workload: .wide) { settings, results in
        let result = ResNetBenchmark.measure(.resnet50(classCount: 1000), batchSize: 32, imageSize: 224,
                                             warmups: 1, repetitions: settings.repetitions)
        BenchReport.line("resnet50_forward_images_per_s", String(format: "%.2f", result.forwardImagesPerSecond))
        BenchReport.line("resnet50_train_step_images_per_s", String(format: "%.2f", result.trainingImagesPerSecond))
        let gigaflops = result.trainingImagesPerSecond * ResNetBenchmark.resnet50TrainingFlopsPerImage / 1e9
        BenchReport.line("resnet50_train_effective_gflops", String(format: "%.1f", gigaflops))
        if let earlier = results.sgemmPeakGigaflops {
            // The machine's speed can drift between sections: re-measure the square GEMM after the
            // step and divide by the higher peak, so a slow moment never inflates the ratio.
            let recheck = GEMMBenchmark.measure(GEMMShape(m: 2048, k: 2048, n: 2048), warmups: 1,
                                                repetitions: settings.repetitions).bestGigaflops
            BenchReport.line("sgemm_peak_recheck_gflops", String(format: "%.1f", recheck))
            BenchReport.line("resnet50_train_ratio_to_sgemm_peak",
                             String(format: "%.3f", gigaflops / max(earlier, recheck)))
        }
    }
}
