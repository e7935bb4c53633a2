/// The environment variables OpenBLAS reads once, when the library loads (before `main`), that
/// the `clsa` executable sets by re-executing itself.
///
/// - `OPENBLAS_CORETYPE`: the kernel, when OpenBLAS's own detection picked an older one, or a
///   slower one for the process's workload (`BLASKernel.decide`).
/// - `OPENBLAS_THREAD_TIMEOUT`: idle OpenBLAS workers spin on `sched_yield` for about 2²⁸
///   cycles (a tenth of a second) after each GEMM before they sleep, taking the cores from the
///   element-wise loops that run between GEMMs. With 4 (2⁴ cycles) they sleep at once. Measured
///   on a ResNet-50 training step (batch 32, 2 cores): 6.6 images/s against 5.4 (BENCHMARKS.md).
///
/// A user's own setting of either variable is always kept.
public enum OpenBLASEnvironment {
    /// The `OPENBLAS_THREAD_TIMEOUT` value set when the user has none.
    public static let threadTimeout = "4"

    /// The variables to set before re-executing: empty when nothing needs to change or a
    /// re-execution already happened (`BLASKernel.relaunchMarker` in `environment`).
    public static func relaunchSettings(kernel: BLASKernelAction, environment: [String: String]) -> [String: String] {
        guard environment[BLASKernel.relaunchMarker] == nil else { return [:] }
        var settings: [String: String] = [:]
        if case .relaunch(let mismatch) = kernel {
            settings["OPENBLAS_CORETYPE"] = mismatch.recommended
        }
        if (environment["OPENBLAS_THREAD_TIMEOUT"] ?? "").isEmpty {
            settings["OPENBLAS_THREAD_TIMEOUT"] = threadTimeout
        }
        return settings
    }

    /// The value of `BLASKernel.relaunchMarker` for a re-execution that sets `settings`: their
    /// names, sorted, comma-separated ("1" when none), so that `environmentBeforeRelaunch` can
    /// take them out again.
    public static func relaunchMarkerValue(for settings: [String: String]) -> String {
        settings.isEmpty ? "1" : settings.keys.sorted().joined(separator: ",")
    }

    /// `environment` as the user gave it, before `clsa` re-executed itself: without the marker
    /// and the variables its value names. A child `clsa` started with it (a `clsa bench`
    /// section) makes its own choice for its own workload.
    public static func environmentBeforeRelaunch(_ environment: [String: String]) -> [String: String] {
        guard let marker = environment[BLASKernel.relaunchMarker] else { return environment }
        var original = environment
        original[BLASKernel.relaunchMarker] = nil
        for name in marker.split(separator: ",") where name.hasPrefix("OPENBLAS_") { original[String(name)] = nil }
        return original
    }
}
