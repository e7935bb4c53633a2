import Foundation
import TensorCore

/// Makes `clsa` run OpenBLAS's best kernel for the CPU. OpenBLAS picks its kernel when the
/// library loads, before `main`, so the only remedy for a wrong pick is to set
/// `OPENBLAS_CORETYPE` and execute the program again; `BLASKernel.relaunchMarker` in the
/// environment keeps that to once.
enum BLASKernelRelaunch {
    /// Applies `BLASKernel.decideForThisProcess()`: returns when nothing needs doing, warns and
    /// returns when the user's `OPENBLAS_CORETYPE` (or an earlier relaunch) stands, and
    /// otherwise replaces the process (same executable, same arguments). If `execv` fails
    /// the process goes on with the old kernel after a warning.
    /// Call first thing in `main`, before any output or threads.
    static func performIfNeeded() {
        switch BLASKernel.decideForThisProcess() {
        case .keep:
            return
        case .warn:
            BLASKernel.checkAndWarn()
        case .relaunch(let mismatch):
            setenv("OPENBLAS_CORETYPE", mismatch.recommended, 1)
            setenv(BLASKernel.relaunchMarker, "1", 1)
            execv("/proc/self/exe", CommandLine.unsafeArgv)
            let reason = String(cString: strerror(errno))
            // Undo, so the warning below and any child processes see the user's environment.
            unsetenv("OPENBLAS_CORETYPE")
            unsetenv(BLASKernel.relaunchMarker)
            FileHandle.standardError.write(Data(
                "clsa: cannot re-execute /proc/self/exe with OPENBLAS_CORETYPE=\(mismatch.recommended): \(reason)\n".utf8))
            BLASKernel.checkAndWarn()
        }
    }
}
