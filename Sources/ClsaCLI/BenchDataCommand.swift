import ArgumentParser
import Augment
import Benchmarking
import Foundation
import TensorCore

/// `clsa bench-data`: single-threaded throughput of the CLSA data pipeline on real photographs,
/// one `name: value` line per figure on stdout.
struct BenchDataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-data",
        abstract: "Measure the data pipeline on one core: JPEG decoding, weak and strong views, CLSA-Single samples.",
        discussion: """
            Prints one 'name: value' line per figure: images (or samples) per second, each the best of \
            several timed runs, then each stage's expected milliseconds per CLSA-Single sample \
            (its cost per call times its probability and number of views).
            """)

    @Option(help: "A folder of JPEG photographs of ImageNet-like size.")
    var photos = "Benchmarks/photos"

    @Option(help: "The weak views' size in pixels.")
    var weakSize = 224

    @Option(help: "The strong view's size in pixels.")
    var strongSize = 96

    @Flag(help: "Two timed runs per figure instead of five: rougher figures, sooner.")
    var quick = false

    func validate() throws {
        guard weakSize >= 1 else { throw ValidationError("--weak-size must be at least 1, got \(weakSize)") }
        guard (1...weakSize).contains(strongSize) else {
            throw ValidationError("--strong-size must be in 1…\(weakSize) (--weak-size), got \(strongSize)")
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: photos, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ValidationError("--photos '\(photos)' is not a folder")
        }
    }

    func run() throws {
        let repetitions = quick ? 2 : 5
        let benchmark = try AugmentBenchmark(photosFolder: photos, weakSize: weakSize, strongSize: strongSize)
        BenchReport.line("cpu_model", CPUFeatures.current?.modelName ?? "unknown")
        BenchReport.line("photos", "\(benchmark.photos.count)")
        let rates = try benchmark.throughput(repetitions: repetitions)
        for (name, rate) in [("decode_jpeg_images_per_s", rates.decodeJPEG), ("weak_view_images_per_s", rates.weakView),
                             ("strong_view_images_per_s", rates.strongView),
                             ("clsa_single_sample_images_per_s", rates.clsaSingleSample)] {
            BenchReport.line(name, String(format: "%.1f", rate))
        }
        var total = 0.0
        for stage in try benchmark.stageCosts(repetitions: repetitions) {
            let share = stage.milliseconds * stage.callsPerSample
            total += share
            BenchReport.line("stage_ms_per_sample_\(stage.name)", String(format: "%.3f", share))
        }
        BenchReport.line("stage_ms_per_sample_total", String(format: "%.3f", total))
    }
}
