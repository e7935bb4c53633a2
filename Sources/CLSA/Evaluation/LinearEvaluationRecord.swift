/// One line of `linear-eval.jsonl`: an epoch (`"type": "epoch"`) or the run's summary
/// (`"type": "summary"`).
public enum LinearEvaluationRecord: Codable, Equatable, Sendable {
    case epoch(LinearEvaluationEpoch)
    case summary(Summary)

    /// What a finished linear evaluation measured, and of what.
    public struct Summary: Codable, Equatable, Sendable {
        /// The last epoch's validation accuracy, percent.
        public var top1: Double
        public var top5: Double
        public var bestTop1: Double
        /// 1-based.
        public var bestEpoch: Int
        public var epochs: Int
        public var cachedFeatures: Bool
        public var architecture: String
        public var imageSize: Int
        public var checkpoint: String
        public var trainData: String
        public var validationData: String
        /// The frozen backbone's state was verified unchanged afterwards.
        public var backboneUnchanged: Bool

        public init(top1: Double, top5: Double, bestTop1: Double, bestEpoch: Int, epochs: Int, cachedFeatures: Bool,
                    architecture: String, imageSize: Int, checkpoint: String, trainData: String, validationData: String,
                    backboneUnchanged: Bool) {
            (self.top1, self.top5, self.bestTop1, self.bestEpoch, self.epochs) = (top1, top5, bestTop1, bestEpoch, epochs)
            (self.cachedFeatures, self.architecture, self.imageSize) = (cachedFeatures, architecture, imageSize)
            (self.checkpoint, self.trainData, self.validationData) = (checkpoint, trainData, validationData)
            self.backboneUnchanged = backboneUnchanged
        }

        enum CodingKeys: String, CodingKey {
            case top1, top5, bestTop1 = "best_top1", bestEpoch = "best_epoch", epochs, cachedFeatures = "cached_features"
            case architecture, imageSize = "image_size", checkpoint, trainData = "train_data", validationData = "val_data"
            case backboneUnchanged = "backbone_unchanged"
        }
    }

    public init(from decoder: Swift.Decoder) throws {
        switch try RecordType.decode(from: decoder) {
        case "epoch": self = .epoch(try LinearEvaluationEpoch(from: decoder))
        case "summary": self = .summary(try Summary(from: decoder))
        case let other:
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                    debugDescription: "unknown record type '\(other ?? "none")'"))
        }
    }

    public func encode(to encoder: Swift.Encoder) throws {
        switch self {
        case .epoch(let epoch): try RecordType.encode(epoch, type: "epoch", to: encoder)
        case .summary(let summary): try RecordType.encode(summary, type: "summary", to: encoder)
        }
    }
}
