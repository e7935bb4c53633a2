import Foundation

/// The built `clsa` executable beside the test bundle (`.build/<configuration>/clsa`, a product
/// of `swift build --build-tests`), run as a user would.
enum ClsaExecutable {
    /// What a run printed and how it ended.
    struct Outcome {
        let status: Int32
        let killedBySignal: Bool
        let standardOutput: String
        let standardError: String
    }

    struct Missing: Error, CustomStringConvertible {
        let candidates: [String]
        var description: String { "no clsa executable at \(candidates); build with `swift build --build-tests`" }
    }

    /// The executable's path.
    static func path() throws -> String {
        let bundle = Bundle.main.bundleURL
        let candidates = [bundle, bundle.deletingLastPathComponent(),
                          URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent(),
                          URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()]
            .map { $0.appendingPathComponent("clsa").path }
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw Missing(candidates: candidates)
        }
        return found
    }

    /// Runs `clsa arguments…` to completion, with `environment` added to this process's;
    /// `whileRunning`, if given, is called on another thread once the process has started (to
    /// signal it, for example). With a `launcher` (`["/usr/bin/mpirun", "-np", "2"]`, say), runs
    /// `launcher… clsa arguments…` instead.
    static func run(_ arguments: [String], environment: [String: String] = [:], launcher: [String] = [],
                    whileRunning: (@Sendable (Process) -> Void)? = nil) throws -> Outcome {
        let process = Process()
        let command = launcher + [try path()] + arguments
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        if let whileRunning { DispatchQueue.global().async { whileRunning(process) } }
        // Read before waiting, so a full pipe cannot stall the child.
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Outcome(status: process.terminationStatus, killedBySignal: process.terminationReason == .uncaughtSignal,
                       standardOutput: String(decoding: out, as: UTF8.self),
                       standardError: String(decoding: err, as: UTF8.self))
    }
}
