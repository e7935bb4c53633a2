import Foundation

/// JSON Lines, one JSON object per line: the format of every record file a run writes
/// (`metrics.jsonl`, `linear-eval.jsonl`). Keys are sorted; floats are written in their
/// shortest round-trip form, so a value read back is bit for bit the one written.
public enum JSONLines {
    /// Each line of `text` that decodes as a `Record`, with the line itself, in file order; and
    /// how many non-blank lines do not (a last line cut short by a kill, or another kind of record).
    public static func read<Record: Decodable>(_ type: Record.Type, from text: String)
        -> (records: [(record: Record, line: String)], skippedLines: Int) {
        let decoder = JSONDecoder()
        var records: [(Record, String)] = [], skipped = 0
        for line in text.split(whereSeparator: \.isNewline) where !line.allSatisfy(\.isWhitespace) {
            if let record = try? decoder.decode(Record.self, from: Data(line.utf8)) {
                records.append((record, String(line)))
            } else {
                skipped += 1
            }
        }
        return (records, skipped)
    }

    /// The records of the file at `path` (see `read(_:from:)`).
    /// - Throws: the file system's error when the file cannot be read.
    public static func read<Record: Decodable>(_ type: Record.Type, contentsOf path: String) throws
        -> (records: [(record: Record, line: String)], skippedLines: Int) {
        read(type, from: try String(contentsOfFile: path, encoding: .utf8))
    }

    /// `record` as one line of JSON, without the newline.
    public static func line<Record: Encodable>(_ record: Record, encoder: JSONEncoder = makeEncoder()) throws -> String {
        String(decoding: try encoder.encode(record), as: UTF8.self)
    }

    /// The encoder of every line: sorted keys, slashes unescaped.
    public static func makeEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}

/// A JSON Lines file written one record at a time, each line handed to the system as it is
/// written, so that a run stopped midway leaves every finished record readable.
public final class JSONLinesWriter<Record: Encodable> {
    public let path: String
    private let handle: FileHandle
    private let encoder = JSONLines.makeEncoder()

    /// Replaces the file at `path` with `keptLines` (atomically), then appends after them.
    /// - Throws: `FileWriteError` naming the file.
    public init(path: String, keepingLines keptLines: [String] = []) throws {
        self.path = path
        try FileWriteError.write(Array(keptLines.map { $0 + "\n" }.joined().utf8), to: path)
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw FileWriteError(file: path, reason: "cannot open for writing")
        }
        handle.seekToEndOfFile()
        self.handle = handle
    }

    deinit { try? handle.close() }

    /// Appends `record` as one line.
    /// - Throws: `FileWriteError` naming the file when the write fails (a full disk, say).
    public func append(_ record: Record) throws {
        do {
            try handle.write(contentsOf: Data((try JSONLines.line(record, encoder: encoder) + "\n").utf8))
        } catch let error as EncodingError {
            throw FileWriteError(file: path, reason: "cannot encode a record: \(error)")
        } catch {
            throw FileWriteError(file: path, reason: "cannot append: \(error.localizedDescription)")
        }
    }
}

/// The `"type"` field that tells the kinds of record in one JSON Lines file apart.
enum RecordType {
    private enum Key: String, CodingKey { case type }

    /// Encodes `payload`'s fields and `"type": type` as one object.
    static func encode<Payload: Encodable>(_ payload: Payload, type: String, to encoder: Swift.Encoder) throws {
        try payload.encode(to: encoder)
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(type, forKey: .type)
    }

    /// The object's `"type"`, nil when it has none.
    static func decode(from decoder: Swift.Decoder) throws -> String? {
        try decoder.container(keyedBy: Key.self).decodeIfPresent(String.self, forKey: .type)
    }
}
