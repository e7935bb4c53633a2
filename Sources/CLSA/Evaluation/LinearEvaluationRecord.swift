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
        /// The base learning rate of the classifier these scores are of (absent in older records).
        public var learningRate: Double?
        /// With several learning rates, every one's final scores; the summary's are the best
        /// final top-1's (absent for a single rate).
        public var sweep: [SweepPoint]?

        /// One learning rate of a sweep and its classifier's final validation scores.
        public struct SweepPoint: Codable, Equatable, Sendable {
            public var learningRate: Double
            public var top1: Double
            public var top5: Double

            public init(learningRate: Double, top1: Double, top5: Double) {
                (self.learningRate, self.top1, self.top5) = (learningRate, top1, top5)
            }

            enum CodingKeys: String, CodingKey { case learningRate = "lr", top1, top5 }
        }

        public init(top1: Double, top5: Double, bestTop1: Double, bestEpoch: Int, epochs: Int, cachedFeatures: Bool,
                    architecture: String, imageSize: Int, checkpoint: String, trainData: String, validationData: String,
                    backboneUnchanged: Bool, learningRate: Double? = nil, sweep: [SweepPoint]? = nil) {
            (self.top1, self.top5, self.bestTop1, self.bestEpoch, self.epochs) = (top1, top5, bestTop1, bestEpoch, epochs)
            (self.cachedFeatures, self.architecture, self.imageSize) = (cachedFeatures, architecture, imageSize)
            (self.checkpoint, self.trainData, self.validationData) = (checkpoint, trainData, validationData)
            (self.backboneUnchanged, self.learningRate, self.sweep) = (backboneUnchanged, learningRate, sweep)
        }

        enum CodingKeys: String, CodingKey {
            case top1, top5, bestTop1 = "best_top1", bestEpoch = "best_epoch", epochs, cachedFeatures = "cached_features"
            case architecture, imageSize = "image_size", checkpoint, trainData = "train_data", validationData = "val_data"
            case backboneUnchanged = "backbone_unchanged", learningRate = "lr", sweep
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
