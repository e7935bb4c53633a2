import Foundation

/// The records of a pretraining run's `RUN_DIR/metrics.jsonl`, one JSON object per line:
/// step records `{"step", "epoch", "loss", "loss_c", "loss_d", "lr", "images_per_s"}` and epoch
/// records `{"type": "epoch", "epoch", …}`, which may carry `"knn_top1"` (percent).
///
/// Lines that are not JSON objects (a last line cut short by a kill) are skipped and counted.
public struct PretrainingMetricsLog: Equatable, Sendable {
    public struct StepRecord: Equatable, Sendable {
        public var step: Int
        public var loss: Double
        /// L_C and L_D, when recorded.
        public var lossContrastive: Double?
        public var lossDivergence: Double?
    }

    public struct EpochRecord: Equatable, Sendable {
        public var epoch: Int
        /// kNN top-1 accuracy (percent) measured at the end of the epoch, when the monitor ran.
        public var knnTop1: Double?
    }

    public var steps: [StepRecord] = []
    public var epochs: [EpochRecord] = []
    /// Lines that could not be read as a record.
    public var skippedLines = 0

    public init() {}

    /// Parses the contents of a metrics file.
    public init(jsonLines text: String) {
        for line in text.split(whereSeparator: \.isNewline) where !line.allSatisfy(\.isWhitespace) {
            guard let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] else {
                skippedLines += 1
                continue
            }
            func number(_ key: String) -> Double? { (object[key] as? NSNumber)?.doubleValue }
            if object["type"] as? String == "epoch" {
                guard let epoch = number("epoch") else { skippedLines += 1; continue }
                epochs.append(EpochRecord(epoch: Int(epoch), knnTop1: number("knn_top1")))
            } else if let step = number("step"), let loss = number("loss") {
                steps.append(StepRecord(step: Int(step), loss: loss, lossContrastive: number("loss_c"),
                                        lossDivergence: number("loss_d")))
            } else {
                skippedLines += 1
            }
        }
    }

    /// Reads `path` (`RUN_DIR/metrics.jsonl`).
    /// - Throws: the file system's error when it cannot be read.
    public init(contentsOf path: String) throws {
        self.init(jsonLines: try String(contentsOfFile: path, encoding: .utf8))
    }
}
