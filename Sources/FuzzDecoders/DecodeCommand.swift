import ArgumentParser
import DecoderFuzzing

/// `fuzz-decoders decode FOLDER`: decodes a folder's files in order on one reader and on fresh
/// ones (`SequentialDecoding`); exits 1 when a file left state behind for the next.
struct DecodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode", abstract: "Decode a folder's images in order, on one reader and on fresh ones.")

    @Argument(help: "The folder.")
    var folder: String

    @Option(help: "Write every file's outcome here (an OutcomeTable).")
    var outcomes: String?

    func run() throws {
        let decoding = try SequentialDecoding(folder: folder)
        if let outcomes {
            let table = OutcomeTable(Dictionary(decoding.outcomes.map { ($0.name, $0.outcome) }, uniquingKeysWith: { a, _ in a }))
            try table.text.write(toFile: outcomes, atomically: true, encoding: .utf8)
        }
        for leak in decoding.leaks {
            print("state leak: '\(leak.name)': \(leak.shared) on the shared reader, \(leak.fresh) on a new one")
        }
        let decoded = decoding.outcomes.filter { $0.outcome.isDecoded }.count
        print("decode: \(decoding.outcomes.count) files, \(decoded) decoded, \(decoding.outcomes.count - decoded) rejected, "
              + "\(decoding.leaks.count) state leaks")
        if !decoding.leaks.isEmpty { throw ExitCode.failure }
    }
}
