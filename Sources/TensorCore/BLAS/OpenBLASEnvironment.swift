/// The environment variables OpenBLAS reads once, when the library loads (before `main`), that
/// the `clsa` executable sets by re-executing itself.
///
/// - `OPENBLAS_CORETYPE`: the kernel, when OpenBLAS's own detection picked an older one
///   (`BLASKernel.decide`).
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
}
