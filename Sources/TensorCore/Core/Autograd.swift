/// Reverse-mode differentiation over the recorded graph.
///
/// `recordingGradient` and `accumulateGradient` are also the extension point for operations
/// defined outside this module (CLSA's fused contrastive logits, say).
extension Tensor {
    /// Whether an operation reading `inputs` should record itself.
    public static func recordsGradient(_ inputs: Tensor...) -> Bool {
        GradientMode.isEnabled && inputs.contains { $0.requiresGradient }
    }

    /// Attaches the operation that produced this tensor, if any input needs a gradient and
    /// recording is on. `backward` receives this tensor's gradient.
    @discardableResult
    public func recordingGradient(_ name: String, inputs: [Tensor],
                           backward: @escaping (_ outputGradient: Tensor) -> Void) -> Tensor {
        if OpProfile.isEnabled { OpProfile.endSpan(as: OpProfile.Kind(operation: name)) }
        guard GradientMode.isEnabled else { return self }
        let needing = inputs.filter { $0.requiresGradient }
        guard !needing.isEmpty else { return self }
        requiresGradient = true
        gradientNode = GradientNode(name: name, inputs: needing, backward: backward)
        return self
    }

    /// Adds `contribution` (same element count) to this tensor's gradient; the first
    /// contribution is adopted without a copy, so callers pass freshly made tensors.
    public func accumulateGradient(_ contribution: Tensor) {
        precondition(contribution.count == count,
                     "accumulateGradient: \(contribution.shape) into \(shape)")
        if let existing = gradient {
            addInPlace(existing.data, contribution.data, count: count)
        } else {
            gradient = contribution.shape == shape ? contribution : contribution.reshapedStorage(shape)
        }
    }

    /// Gives `body` this tensor's gradient buffer to write into. `accumulate` is false when the
    /// buffer is new and uninitialised (the body must overwrite every element) and true when it
    /// already holds a gradient (the body must add) — so GEMM kernels can pass β = 0 or 1.
    public func accumulateGradient(_ body: (_ buffer: UnsafeMutablePointer<Float>, _ accumulate: Bool) -> Void) {
        if let existing = gradient {
            body(existing.data, true)
        } else {
            let fresh = Tensor(uninitializedShape: shape)
            body(fresh.data, false)
            gradient = fresh
        }
    }

    /// Differentiates this scalar with respect to every leaf that requires a gradient, adding
    /// to their `gradient`. The graph is released afterwards (saved activations freed), and
    /// gradients of intermediate tensors are dropped.
    ///
    /// - Parameter seed: the gradient of the final objective with respect to this tensor
    ///   (default: ones, which for a scalar loss is dL/dL = 1).
    public func backward(seed: Tensor? = nil) {
        precondition(requiresGradient, "backward: tensor \(shape) does not require a gradient")
        let order = topologicalOrder()
        if let seed {
            precondition(seed.count == count, "backward: seed \(seed.shape) for \(shape)")
            accumulateGradient(seed.copy())
        } else {
            precondition(count == 1, "backward: a seed is needed for non-scalar tensor \(shape)")
            accumulateGradient(Tensor(shape: shape, repeating: 1))
        }
        GradientMode.withoutGradients {
            for tensor in order.reversed() {
                guard let node = tensor.gradientNode else { continue }
                if let g = tensor.gradient {
                    OpProfile.measure(OpProfile.Kind(operation: node.name)) { node.backward(g) }
                }
                tensor.gradientNode = nil
                tensor.gradient = nil
            }
        }
    }

    /// Tensors reachable from self through recorded nodes, each after all of its inputs.
    private func topologicalOrder() -> [Tensor] {
        var order: [Tensor] = []
        var visited = Set<ObjectIdentifier>()
        // Iterative depth-first search: ResNet graphs are deep enough to matter for recursion.
        var stack: [(tensor: Tensor, expanded: Bool)] = [(self, false)]
        while let (tensor, expanded) = stack.popLast() {
            if expanded { order.append(tensor); continue }
            guard visited.insert(ObjectIdentifier(tensor)).inserted else { continue }
            stack.append((tensor, true))
            for input in tensor.gradientNode?.inputs ?? [] where !visited.contains(ObjectIdentifier(input)) {
                stack.append((input, false))
            }
        }
        return order
    }

    /// A tensor sharing this storage with another shape (same element count), no history.
    func reshapedStorage(_ newShape: [Int]) -> Tensor {
        Tensor(shape: newShape, storage: storage)
    }
}
