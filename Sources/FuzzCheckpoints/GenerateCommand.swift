import ArgumentParser
import CheckpointFuzzing

/// `fuzz-checkpoints generate`: writes a corpus (the variants and `corpus.tsv`).
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "generate", abstract: "Write a damaged-checkpoint corpus.")

    @OptionGroup var corpus: CorpusOptions

    @Option(help: "The folder to write the variants and corpus.tsv into.")
    var out: String

    func run() throws {
        let checkpointCorpus = try corpus.corpus()
        let written = try checkpointCorpus.write(count: corpus.count ?? checkpointCorpus.fullCount, to: out)
        print("generate: \(written.count) damaged checkpoints in '\(out)'")
    }
}
