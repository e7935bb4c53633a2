import ArgumentParser
import DecoderFuzzing

/// `fuzz-decoders`: damaged-image corpora for the project's decoders and loader, and the full
/// fuzzing run of `Scripts/fuzz-decoders`.
@main
struct FuzzDecoders: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fuzz-decoders",
        abstract: "Fuzz the image decoders and the loader with a seeded corpus of damaged files.",
        subcommands: [RunCommand.self, GenerateCommand.self, DecodeCommand.self],
        defaultSubcommand: RunCommand.self)
}

/// The corpus options the subcommands share.
struct CorpusOptions: ParsableArguments {
    @Option(help: "The repository whose codec fixtures and Benchmarks/photos are the corpus's sources.")
    var root = "."

    @Flag(help: "Damage only the codec fixtures (the test suite's corpus), not the photos.")
    var fixturesOnly = false

    @Option(help: "Damaged variants to make.")
    var count = 5000

    @Option(help: "The corpus seed.")
    var seed: UInt64 = 1

    func validate() throws {
        guard count >= 1 else { throw ValidationError("--count must be at least 1, got \(count)") }
    }

    /// The corpus of `--root` and `--seed`.
    func corpus() throws -> FuzzCorpus {
        let sources = try FuzzCorpus.repositorySources(root: root, fixturesOnly: fixturesOnly)
        guard !sources.isEmpty else { throw ValidationError("--root '\(root)': no codec fixtures or photos found") }
        return FuzzCorpus(sources: sources, seed: seed)
    }
}
