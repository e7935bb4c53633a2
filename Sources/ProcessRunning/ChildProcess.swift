import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A program run to completion in a child process, so that a crash or a hang in it is an
/// observation rather than the end of the fuzzing run.
package struct ChildProcess {
    /// How a child ended and what it printed.
    package struct Outcome {
        package enum Ending: Equatable {
            case exited(Int32)
            /// Killed by a signal it raised itself (SIGSEGV, SIGILL, SIGABRT, …): a crash.
            case crashed(signal: Int32)
            /// Still running after the time limit, and killed.
            case hung
        }

        package let ending: Ending
        package let standardOutput: String
        package let standardError: String
        package let seconds: Double
    }

    /// Runs `executable arguments…`, killing it after `timeout` seconds.
    package static func run(_ executable: String, _ arguments: [String], timeout: Double) throws -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        let start = Date()
        try process.run()
        let timedOut = Locked(false)
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout) {
            guard process.isRunning else { return }
            timedOut.value = true
            kill(process.processIdentifier, SIGKILL)
        }
        // Both pipes are drained concurrently, so a child filling one cannot stall on it.
        let errorData = Locked(Data())
        let drained = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            errorData.value = errors.fileHandleForReading.readDataToEndOfFile()
            drained.signal()
        }
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        drained.wait()
        process.waitUntilExit()
        let ending: Outcome.Ending
        if timedOut.value {
            ending = .hung
        } else if process.terminationReason == .uncaughtSignal {
            ending = .crashed(signal: process.terminationStatus)
        } else {
            ending = .exited(process.terminationStatus)
        }
        return Outcome(ending: ending, standardOutput: String(decoding: outputData, as: UTF8.self),
                       standardError: String(decoding: errorData.value, as: UTF8.self),
                       seconds: Date().timeIntervalSince(start))
    }

    /// The largest resident set of any child waited for so far, in MiB (`getrusage(RUSAGE_CHILDREN)`).
    package static var peakResidentMiB: Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_CHILDREN.rawValue), &usage)
        return Double(usage.ru_maxrss) / 1024
    }
}

/// A value written on one thread and read on another.
private final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value
    init(_ value: Value) { stored = value }
    var value: Value {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}
