/// Stochastic gradient descent with momentum and weight decay, in PyTorch's semantics
/// (`torch.optim.SGD`, dampening 0):
///
///     g ← ∇p + λ·p            (λ = weight decay, skipped for excluded parameters)
///     b ← μ·b + g             (b = g on the first step)
///     d ← g + μ·b  (Nesterov)  or  d ← b
///     p ← p − η·d
///
/// Parameters are held with their `state_dict` names so that decay exclusions and checkpoints
/// refer to them by name.
public final class SGD {
    /// The learning rate η; schedules set it before each step.
    public var learningRate: Float
    /// μ.
    public let momentum: Float
    /// λ.
    public let weightDecay: Float
    public let nesterov: Bool
    /// The parameters, in order, with their names.
    public let parameters: [(name: String, tensor: Tensor)]
    /// Momentum buffers, one per parameter, created on its first update.
    public private(set) var momentumBuffers: [Tensor?]
    private let decays: [Bool]

    /// - Parameters:
    ///   - excludedFromWeightDecay: names of parameters that get no decay (e.g. BN and biases).
    public init(parameters: [(name: String, tensor: Tensor)], learningRate: Float, momentum: Float = 0,
                weightDecay: Float = 0, nesterov: Bool = false,
                excludedFromWeightDecay: (String) -> Bool = { _ in false }) {
        precondition(learningRate >= 0, "SGD: learning rate must be non-negative, got \(learningRate)")
        precondition(momentum >= 0, "SGD: momentum must be non-negative, got \(momentum)")
        precondition(weightDecay >= 0, "SGD: weight decay must be non-negative, got \(weightDecay)")
        precondition(!nesterov || momentum > 0, "SGD: Nesterov momentum needs momentum > 0")
        self.parameters = parameters
        self.learningRate = learningRate
        self.momentum = momentum
        self.weightDecay = weightDecay
        self.nesterov = nesterov
        self.momentumBuffers = Array(repeating: nil, count: parameters.count)
        self.decays = parameters.map { !excludedFromWeightDecay($0.name) }
    }

    /// Applies one update to every parameter that has a gradient.
    public func step() {
        OpProfile.measure(.optimizer) { updateParameters() }
    }

    private func updateParameters() {
        for (index, (_, p)) in parameters.enumerated() {
            guard let grad = p.gradient else { continue }
            let lambda = decays[index] ? weightDecay : 0
            let lr = learningRate, mu = momentum, nesterov = nesterov
            let w = p.data, g = grad.data
            guard mu != 0 else {
                Threading.parallelRanges(p.count, minimumChunk: elementwiseMinimumChunk) { r in
                    for i in r { w[i] -= lr * (g[i] + lambda * w[i]) }
                }
                continue
            }
            let isFirst = momentumBuffers[index] == nil
            let buffer = momentumBuffers[index] ?? Tensor(uninitializedShape: p.shape)
            momentumBuffers[index] = buffer
            let b = buffer.data
            Threading.parallelRanges(p.count, minimumChunk: elementwiseMinimumChunk) { r in
                for i in r {
                    let d = g[i] + lambda * w[i]
                    let m = isFirst ? d : mu * b[i] + d
                    b[i] = m
                    w[i] -= lr * (nesterov ? d + mu * m : m)
                }
            }
        }
    }

    /// Clears every parameter's gradient.
    public func zeroGradients() {
        for (_, p) in parameters { p.gradient = nil }
    }

    /// Restores momentum buffers (e.g. from a checkpoint); nil entries mean "not started".
    public func setMomentumBuffers(_ buffers: [Tensor?]) {
        precondition(buffers.count == parameters.count,
                     "SGD: \(buffers.count) momentum buffers for \(parameters.count) parameters")
        for (buffer, (name, p)) in zip(buffers, parameters) {
            precondition(buffer == nil || buffer!.shape == p.shape,
                         "SGD: momentum buffer for \(name) has shape \(buffer!.shape), parameter \(p.shape)")
        }
        momentumBuffers = buffers
    }
}
