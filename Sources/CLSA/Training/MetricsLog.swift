/// `RUN_DIR/metrics.jsonl`: one `MetricsRecord` per step and one per epoch, each line written
/// (and so visible to other readers) as soon as it is made.
///
/// A resumed run first drops the records that lie after its checkpoint (those of steps the
/// killed run made after its last save, and any line cut short), so that the file reads as one
/// uninterrupted run; the records it keeps keep their text.
public final class MetricsLog {
    public let path: String
    private let writer: JSONLinesWriter<MetricsRecord>

    /// Opens `path` for a fresh run (emptying it) or, with `resumingAt`, keeps the step records
    /// up to `resumingAt.step` and the epoch records before `resumingAt.epoch`.
    /// - Throws: `FileWriteError` naming the file when it cannot be written.
    public init(path: String, resumingAt position: RunPosition?) throws {
        self.path = path
        let kept = position.map { position in
            MetricsLog.records(at: path).filter { record, _ in
                switch record {
                case .step(let step): return step.step <= position.step
                case .epoch(let epoch): return epoch.epoch < position.epoch
                }
            }.map(\.line)
        } ?? []
        writer = try JSONLinesWriter(path: path, keepingLines: kept)
    }

    /// The step records of `epoch` already in the file (after a resume), in step order.
    public func steps(inEpoch epoch: Int) -> [MetricsRecord.Step] {
        MetricsLog.records(at: path).compactMap { record, _ in
            guard case .step(let step) = record, step.epoch == epoch else { return nil }
            return step
        }
    }

    /// Whether the file holds the record of epoch `epoch` (0-based).
    public func hasEpochRecord(_ epoch: Int) -> Bool {
        MetricsLog.records(at: path).contains { record, _ in
            if case .epoch(let summary) = record { return summary.epoch == epoch } else { return false }
        }
    }

    /// Appends `record` as one line.
    /// - Throws: `FileWriteError` naming the file when the write fails (a full disk, say).
    public func append(_ record: MetricsRecord) throws {
        try writer.append(record)
    }

    /// The records of the file at `path`, none when it cannot be read.
    private static func records(at path: String) -> [(record: MetricsRecord, line: String)] {
        (try? JSONLines.read(MetricsRecord.self, contentsOf: path))?.records ?? []
    }
}
