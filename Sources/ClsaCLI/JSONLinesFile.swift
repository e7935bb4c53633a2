import Foundation

/// A JSON Lines file written one record at a time, each line flushed as it is written, so a
/// run stopped midway leaves every finished record readable.
final class JSONLinesFile {
    let path: String
    private let handle: FileHandle

    /// Creates (or empties) the file at `path`.
    /// - Throws: `OutputFileError` naming `path`.
    init(path: String) throws {
        self.path = path
        guard FileManager.default.createFile(atPath: path, contents: nil),
              let handle = FileHandle(forWritingAtPath: path) else {
            throw OutputFileError(path: path, reason: "cannot create the file")
        }
        self.handle = handle
    }

    deinit { try? handle.close() }

    /// Appends `fields` as one line (keys sorted).
    func append(_ fields: [String: Any]) throws {
        var line = try JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys, .withoutEscapingSlashes])
        line.append(0x0A)
        do {
            try handle.write(contentsOf: line)
        } catch {
            throw OutputFileError(path: path, reason: (error as NSError).localizedDescription)
        }
    }

    /// Appends `value`'s JSON object with a `"type"` field added.
    func append<Record: Encodable>(_ value: Record, type: String) throws {
        let encoded = try JSONSerialization.jsonObject(with: JSONEncoder().encode(value))
        guard var fields = encoded as? [String: Any] else {
            preconditionFailure("JSONLinesFile: \(Record.self) does not encode as a JSON object")
        }
        fields["type"] = type
        try append(fields)
    }
}
