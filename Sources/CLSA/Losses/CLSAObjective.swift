import TensorCore

/// CLSA's objective, L = L_C + β·Σ_s L_D(s) (the paper's Eq. 1, 3 and 4).
///
/// - L_C (MoCo v2's InfoNCE): cross-entropy of the weak query's logits against index 0.
/// - L_D for each strong view s: −Σ p(·|z′)·log p(·|z″_s), averaged over the batch, where both
///   distributions are softmaxes over the same bank [z, Q] at temperature τ_D and the weak
///   distribution p(·|z′) is held fixed (no gradient flows through it).
///
/// With β = 0 this is MoCo v2 exactly; the caller then makes no strong views at all. With
/// `inBatchNegatives` the bank is [all keys of the batch, Q] for L_C and L_D alike, as in the
/// released code (`contrastiveLogits`).
public struct CLSAObjective: Sendable {
    /// τ, the contrastive temperature.
    public var temperature: Float
    /// τ_D, the temperature of both distributions in L_D (the released code's option; the
    /// paper uses τ).
    public var divergenceTemperature: Float
    /// β, the weight of L_D.
    public var beta: Float
    /// Whether the other images' keys of the batch are negatives too.
    public var inBatchNegatives: Bool

    public init(temperature: Float = 0.2, divergenceTemperature: Float? = nil, beta: Float = 1,
                inBatchNegatives: Bool = false) {
        self.temperature = temperature
        self.divergenceTemperature = divergenceTemperature ?? temperature
        self.beta = beta
        self.inBatchNegatives = inBatchNegatives
    }

    /// The loss and its parts.
    public struct Value {
        /// L, differentiable with respect to the queries.
        public let total: Tensor
        /// L_C.
        public let contrastive: Float
        /// Σ_s L_D(s) (before β); 0 without strong views.
        public let divergence: Float
    }

    /// - Parameters:
    ///   - weakQuery: z′ [N, D] from the query encoder.
    ///   - strongQueries: z″ [N, D] for each strong view (empty for MoCo v2).
    ///   - keys: z [N, D] from the key encoder; with `inBatchNegatives`, every key of the batch
    ///     [M, D] (of the global batch, on several ranks), whose rows `firstPositive ..<
    ///     firstPositive + N` are the queries' positives.
    ///   - queue: Q [K, D].
    public func callAsFunction(weakQuery: Tensor, strongQueries: [Tensor], keys: Tensor, queue: Tensor,
                               firstPositive: Int = 0) -> Value {
        let weakLogits = logits(weakQuery, keys: keys, queue: queue, temperature: temperature, firstPositive: firstPositive)
        let contrastive = crossEntropy(logits: weakLogits,
                                       targets: targets(count: weakQuery.shape[0], firstPositive: firstPositive))
        guard !strongQueries.isEmpty, beta != 0 else {
            return Value(total: contrastive, contrastive: contrastive.item, divergence: 0)
        }
        let weakDistribution = withoutGradients {
            softmax(divergenceTemperature == temperature
                ? weakLogits.detached()
                : logits(weakQuery.detached(), keys: keys, queue: queue, temperature: divergenceTemperature,
                         firstPositive: firstPositive))
        }
        var total = contrastive
        var divergence: Float = 0
        for strong in strongQueries {
            let strongLogits = logits(strong, keys: keys, queue: queue, temperature: divergenceTemperature,
                                      firstPositive: firstPositive)
            let term = softCrossEntropy(logits: strongLogits, targetProbabilities: weakDistribution)
            divergence += term.item
            total = total + term * beta
        }
        return Value(total: total, contrastive: contrastive.item, divergence: divergence)
    }

    /// `contrastiveLogits` of `query` [N, D] against this objective's bank.
    public func logits(_ query: Tensor, keys: Tensor, queue: Tensor, temperature: Float, firstPositive: Int = 0) -> Tensor {
        contrastiveLogits(query: query, positiveKeys: keys, queue: queue, temperature: temperature,
                          inBatchNegatives: inBatchNegatives, firstPositive: firstPositive)
    }

    /// Each of `count` rows' positive column in `logits`.
    public func targets(count: Int, firstPositive: Int = 0) -> [Int] {
        contrastiveTargets(count: count, inBatchNegatives: inBatchNegatives, firstPositive: firstPositive)
    }
}
