/// One line of `metrics.jsonl`: a step's losses, or an epoch's summary, told apart by
/// `"type"` (`step`, the default when absent, or `epoch`).
///
///     {"epoch":0,"images_per_s":131.9,"loss":15.02,"loss_c":7.02,"loss_d":8.0,"lr":0.06,"step":40,"type":"step"}
///     {"epoch":0,"images_per_s":124.9,"loss":14.3,…,"seconds":96.1,"skipped":0,"step":187,"type":"epoch"}
public enum MetricsRecord: Codable, Equatable, Sendable {
    case step(Step)
    case epoch(EpochSummary)

    /// A step's record: its `StepMetrics` with the epoch and the rate.
    public struct Step: Codable, Equatable, Sendable {
        public var step: Int
        /// 0-based.
        public var epoch: Int
        public var loss: Float
        public var lossContrastive: Float
        public var lossDivergence: Float
        public var learningRate: Double
        /// Images per second of this step, data waits included.
        public var imagesPerSecond: Double

        public init(_ metrics: StepMetrics, epoch: Int, imagesPerSecond: Double) {
            step = metrics.step
            self.epoch = epoch
            loss = metrics.loss
            lossContrastive = metrics.lossContrastive
            lossDivergence = metrics.lossDivergence
            learningRate = metrics.learningRate
            self.imagesPerSecond = imagesPerSecond
        }

        enum CodingKeys: String, CodingKey {
            case step, epoch, loss, lossContrastive = "loss_c", lossDivergence = "loss_d", learningRate = "lr"
            case imagesPerSecond = "images_per_s"
        }
    }

    public init(from decoder: Swift.Decoder) throws {
        switch try RecordType.decode(from: decoder) {
        case nil, "step": self = .step(try Step(from: decoder))
        case "epoch": self = .epoch(try EpochSummary(from: decoder))
        case let other?:
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "unknown record type '\(other)'"))
        }
    }

    public func encode(to encoder: Swift.Encoder) throws {
        switch self {
        case .step(let step): try RecordType.encode(step, type: "step", to: encoder)
        case .epoch(let epoch): try RecordType.encode(epoch, type: "epoch", to: encoder)
        }
    }
}
