import ArgumentParser
import Foundation

/// `--progress`: how `clsa pretrain` shows its steps.
enum ProgressStyle: String, CaseIterable, ExpressibleByArgument {
    /// One line per epoch redrawn in place (carriage return and erase-line escapes).
    case bar
    /// Plain lines, one every few seconds, as a log file wants them.
    case lines

    /// The style when `--progress` is left out: a bar only when standard output is a terminal
    /// and the process is not a rank of an MPI job. Open MPI gives every rank a pseudo-terminal
    /// whether or not a person watches, so its ranks' output, mostly read from log files, gets
    /// plain lines.
    static func automatic(standardOutputIsTerminal: Bool, environment: [String: String]) -> ProgressStyle {
        standardOutputIsTerminal && !isMPIRank(environment: environment) ? .bar : .lines
    }

    /// Whether the environment is that of a process an MPI launcher started: Open MPI
    /// (`OMPI_COMM_WORLD_SIZE`), PMIx (`PMIX_RANK`) or a PMI launcher such as MPICH's or
    /// Slurm's (`PMI_RANK`).
    static func isMPIRank(environment: [String: String]) -> Bool {
        ["OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK"].contains { environment[$0] != nil }
    }
}
