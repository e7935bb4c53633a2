import Foundation
import TensorCore

/// Makes `clsa` run OpenBLAS's best kernel for the CPU, with idle BLAS threads that sleep.
/// OpenBLAS reads its settings when the library loads, before `main`, so the only remedy is to
/// set the variables (`OpenBLASEnvironment`) and execute the program again;
/// `BLASKernel.relaunchMarker` in the environment keeps that to once.
enum BLASKernelRelaunch {
    /// Re-executes the process (same executable, same arguments) when a variable needs setting
    /// for `workload` (the parsed command's, `BLASWorkloadCommand`); otherwise returns, warning
    /// when the user's `OPENBLAS_CORETYPE` (or an earlier relaunch) leaves a slower kernel. If
    /// `execv` fails the process goes on as it is, after a warning. Call in `main` before any
    /// output or threads.
    static func performIfNeeded(workload: BLASWorkload) {
        BLASKernel.processWorkload = workload
        let kernel = BLASKernel.decideForThisProcess()
        let settings = OpenBLASEnvironment.relaunchSettings(kernel: kernel,
                                                            environment: ProcessInfo.processInfo.environment)
        guard !settings.isEmpty else {
            if case .warn = kernel { BLASKernel.checkAndWarn() }
            return
        }
        for (name, value) in settings { setenv(name, value, 1) }
        setenv(BLASKernel.relaunchMarker, OpenBLASEnvironment.relaunchMarkerValue(for: settings), 1)
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        let reason = String(cString: strerror(errno))
        // Undo, so the warning below and any child processes see the user's environment.
        for name in settings.keys { unsetenv(name) }
        unsetenv(BLASKernel.relaunchMarker)
        let described = settings.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        FileHandle.standardError.write(Data("clsa: cannot re-execute /proc/self/exe with \(described): \(reason)\n".utf8))
        BLASKernel.checkAndWarn()
    }
}

/// A command that knows, once parsed, which GEMMs it will run: `clsa` picks OpenBLAS's kernel
/// for them (`BLASKernel.recommendedCore(for:workload:)`). Other commands run `.general`.
protocol BLASWorkloadCommand {
    var blasWorkload: BLASWorkload { get }
}
