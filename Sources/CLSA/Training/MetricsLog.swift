import Foundation

/// One line of `metrics.jsonl`: a flat JSON object of numbers and strings, with a `type` of
/// `step` or `epoch`. Floats are written in their shortest round-trip form, so a loss read
/// back with `Float(_:)` is bit for bit the one written.
public struct MetricsRecord: Sendable {
    public enum Value: Equatable, Sendable {
        case integer(Int)
        case float(Float)
        case double(Double)
        case string(String)

        var json: String {
            switch self {
            case .integer(let value): return String(value)
            case .float(let value): return value.isFinite ? "\(value)" : "null"
            case .double(let value): return value.isFinite ? "\(value)" : "null"
            case .string(let value): return "\"" + value.replacingOccurrences(of: "\\", with: "\\\\")
                .replacingOccurrences(of: "\"", with: "\\\"") + "\""
            }
        }
    }

    /// Field names and values, in output order.
    public var fields: [(name: String, value: Value)]

    public init(_ fields: [(name: String, value: Value)]) {
        self.fields = fields
    }

    /// The record as one line of JSON, without the newline.
    public var line: String {
        "{" + fields.map { "\"\($0.name)\":\($0.value.json)" }.joined(separator: ",") + "}"
    }

    /// The raw text of each field of a line this type wrote (string values without their
    /// quotes), or nil for anything else, such as a line cut short by a kill.
    public static func rawFields(of line: String) -> [String: String]? {
        guard line.hasPrefix("{"), line.hasSuffix("}") else { return nil }
        var result: [String: String] = [:]
        for field in line.dropFirst().dropLast().split(separator: ",") {
            guard let colon = field.firstIndex(of: ":") else { return nil }
            let name = field[..<colon], value = field[field.index(after: colon)...]
            guard name.count >= 2, name.hasPrefix("\""), name.hasSuffix("\""), !value.isEmpty else { return nil }
            let text = value.hasPrefix("\"") && value.hasSuffix("\"") && value.count >= 2
                ? String(value.dropFirst().dropLast()) : String(value)
            result[String(name.dropFirst().dropLast())] = text
        }
        return result
    }
}

/// `RUN_DIR/metrics.jsonl`: one record per step and one per epoch, each line written (and so
/// visible to other readers) as soon as it is made.
///
/// A resumed run first drops the records that lie after its checkpoint (those of steps the
/// killed run made after its last save, and any line cut short), so that the file reads as one
/// uninterrupted run.
public final class MetricsLog {
    public let path: String
    private let handle: FileHandle

    /// Opens `path` for a fresh run (emptying it) or, with `resumingAt`, keeps the step records
    /// up to `resumingAt.step` and the epoch records before `resumingAt.epoch`.
    /// - Throws: `RunFileError` naming the file when it cannot be written.
    public init(path: String, resumingAt position: RunPosition?) throws {
        self.path = path
        var kept: [String] = []
        if let position, let text = try? String(contentsOfFile: path, encoding: .utf8) {
            kept = text.split(separator: "\n").map(String.init).filter { line in
                guard let fields = MetricsRecord.rawFields(of: line) else { return false }
                switch fields["type"] {
                case "step": return fields["step"].flatMap { Int($0) }.map { $0 <= position.step } ?? false
                case "epoch": return fields["epoch"].flatMap { Int($0) }.map { $0 < position.epoch } ?? false
                default: return false
                }
            }
        }
        try RunFileError.rethrowing(path) { try AtomicFile.write(Array(kept.map { $0 + "\n" }.joined().utf8), to: path) }
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw RunFileError(file: path, reason: "cannot open for writing")
        }
        handle.seekToEndOfFile()
        self.handle = handle
    }

    deinit { try? handle.close() }

    /// The step records of `epoch` already in the file (after a resume mid-epoch), as
    /// (loss, loss_c, loss_d) in step order.
    public func stepLosses(inEpoch epoch: Int) -> [(loss: Float, contrastive: Float, divergence: Float)] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            guard let fields = MetricsRecord.rawFields(of: String(line)), fields["type"] == "step",
                  fields["epoch"] == String(epoch),
                  let loss = fields["loss"].flatMap(Float.init), let contrastive = fields["loss_c"].flatMap(Float.init),
                  let divergence = fields["loss_d"].flatMap(Float.init) else { return nil }
            return (loss, contrastive, divergence)
        }
    }

    /// Appends `record` as one line.
    /// - Throws: `RunFileError` naming the file when the write fails (a full disk, say).
    public func append(_ record: MetricsRecord) throws {
        do {
            try handle.write(contentsOf: Data((record.line + "\n").utf8))
        } catch {
            throw RunFileError(file: path, reason: "cannot append: \(error.localizedDescription)")
        }
    }
}
