import ProcessRunning

/// How a `clsa` command that was given a damaged checkpoint ended, judged by what the tool
/// promises: a damaged file is refused with exit status 1 or 2 and exactly one `clsa: …` line on
/// stderr that names the file, or, by `pretrain --resume auto`, skipped with a warning that names
/// it; never a signal or a hang.
package enum RefusalVerdict: Equatable, Sendable, CustomStringConvertible {
    /// Refused as promised.
    case refused
    /// Exit status 0 after a `warning: skipping …` line that names the file (`--resume auto`).
    case skipped
    /// Exit status 0 with no such warning: the command took the variant as valid.
    case accepted
    case crashed(signal: Int32)
    case hung
    /// Ended without a signal but not as promised (another status, no or several `clsa:` lines,
    /// or a line that does not name the file).
    case unclear(String)

    /// Judges `outcome`, a command run with the checkpoint at `path`.
    package init(_ outcome: ChildProcess.Outcome, checkpoint path: String) {
        switch outcome.ending {
        case .crashed(let signal):
            self = .crashed(signal: signal)
        case .hung:
            self = .hung
        case .exited(0):
            let skipped = outcome.standardError.split(separator: "\n").contains { $0.hasPrefix("warning: skipping") && $0.contains(path) }
            self = skipped ? .skipped : .accepted
        case .exited(let status) where status == 1 || status == 2:
            let lines = outcome.standardError.split(separator: "\n").filter { $0.hasPrefix("clsa: ") }
            if lines.count != 1 {
                self = .unclear("status \(status) with \(lines.count) `clsa:` lines")
            } else if !lines[0].contains(path) {
                self = .unclear("the error does not name the file: \(lines[0])")
            } else {
                self = .refused
            }
        case .exited(let status):
            self = .unclear("status \(status)")
        }
    }

    /// Crashes, hangs and unclear endings: the failures a fuzzing run counts.
    package var isFailure: Bool {
        switch self {
        case .refused, .skipped, .accepted: return false
        case .crashed, .hung, .unclear: return true
        }
    }

    /// `refused`, `skipped`, `accepted`, `crashed (signal 4)`, `hung`, `unclear: …`.
    package var description: String {
        switch self {
        case .refused: return "refused"
        case .skipped: return "skipped"
        case .accepted: return "accepted"
        case .crashed(let signal): return "crashed (signal \(signal))"
        case .hung: return "hung"
        case .unclear(let reason): return "unclear: \(reason)"
        }
    }
}
