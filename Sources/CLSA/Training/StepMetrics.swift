/// What one pretraining step measured: the losses and the learning rate it used.
public struct StepMetrics: Codable, Equatable, Sendable {
    /// 1-based index of the step over the whole run.
    public var step: Int
    /// L = L_C + β·L_D.
    public var loss: Float
    /// L_C.
    public var lossContrastive: Float
    /// Σ_s L_D(s) (or, for the strong-contrastive ablation, Σ_s L_C(s)), before β.
    public var lossDivergence: Float
    public var learningRate: Double
}

/// A loss that is NaN or infinite: training stops before the update, naming the step.
public struct NonFiniteLossError: Error, CustomStringConvertible {
    public let step: Int
    public let loss: Float
    public var description: String {
        "the loss became \(loss) at step \(step); training stopped before that step's update (the last checkpoint is intact). Lower `learningRate` or check the data."
    }
}
