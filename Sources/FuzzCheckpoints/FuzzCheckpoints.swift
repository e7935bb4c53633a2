import ArgumentParser
import CheckpointFuzzing

/// `fuzz-checkpoints`: damaged-checkpoint corpora, and the full fuzzing run of
/// `Scripts/fuzz-checkpoints`.
@main
struct FuzzCheckpoints: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fuzz-checkpoints",
        abstract: "Fuzz the checkpoint readers with a seeded corpus of damaged checkpoints.",
        subcommands: [RunCommand.self, GenerateCommand.self],
        defaultSubcommand: RunCommand.self)
}

/// The corpus options the subcommands share.
struct CorpusOptions: ParsableArguments {
    @Option(help: "The repository whose fuzz-checkpoint fixture is the corpus's source.")
    var root = "."

    @Option(help: "Damaged variants to make (default: every damage for every targeted metadata key).")
    var count: Int?

    @Option(help: "The corpus seed.")
    var seed: UInt64 = 1

    func validate() throws {
        if let count, count < 1 { throw ValidationError("--count must be at least 1, got \(count)") }
    }

    /// The corpus of `--root` and `--seed`.
    func corpus() throws -> CheckpointCorpus {
        try CheckpointCorpus(source: CheckpointFixture.bytes(root: root), seed: seed)
    }
}
