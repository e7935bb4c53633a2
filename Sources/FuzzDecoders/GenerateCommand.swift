import ArgumentParser
import DecoderFuzzing

/// `fuzz-decoders generate`: writes a corpus (`mixed/`, `good/`, `corpus.tsv`), for example for
/// `Scripts/fixtures/make_fuzz_reference.py`.
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "generate", abstract: "Write a damaged-image corpus.")

    @OptionGroup var corpus: CorpusOptions

    @Option(help: "The folder to write mixed/, good/ and corpus.tsv into.")
    var out: String

    func run() throws {
        let fuzzCorpus = try corpus.corpus()
        let folders = try fuzzCorpus.write(count: corpus.count, to: out)
        print("generate: \(corpus.count) damaged variants of \(fuzzCorpus.sources.count) sources in '\(folders.mixed)'")
    }
}
