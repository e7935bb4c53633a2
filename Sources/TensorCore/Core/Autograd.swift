/// Reverse-mode differentiation over the recorded graph.
///
/// `recordingGradient` and `gradientTarget` are also the extension point for operations
/// defined outside this module (CLSA's fused contrastive logits, say).
extension Tensor {
    /// Whether an operation reading `inputs` should record itself.
    public static func recordsGradient(_ inputs: Tensor...) -> Bool {
        GradientMode.isEnabled && inputs.contains { $0.requiresGradient }
    }

    /// Attaches the operation that produced this tensor, if any input needs a gradient and
    /// recording is on. `backward` receives this tensor's gradient and accumulates into the
    /// inputs' `gradientTarget`s; it should capture an input tensor only if it reads its values,
    /// since whatever it captures stays alive until `backward()` runs it.
    @discardableResult
    public func recordingGradient(_ name: String, inputs: [Tensor],
                           backward: @escaping (_ outputGradient: Tensor) -> Void) -> Tensor {
        if OpProfile.isEnabled { OpProfile.endSpan(as: OpProfile.Kind(operation: name)) }
        guard GradientMode.isEnabled else { return self }
        let needing = inputs.filter { $0.requiresGradient }
        guard !needing.isEmpty else { return self }
        requiresGradient = true
        slot.node = GradientNode(name: name, inputs: needing.map(\.slot), backward: backward)
        return self
    }

    /// Where a backward rule accumulates this tensor's gradient, or nil when it needs none.
    /// Capturing the slot instead of the tensor keeps the tensor's memory out of the graph.
    public var gradientTarget: GradientSlot? {
        requiresGradient ? slot : nil
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
            slot.accumulate(seed.copy())
        } else {
            precondition(count == 1, "backward: a seed is needed for non-scalar tensor \(shape)")
            slot.accumulate(Tensor(shape: shape, repeating: 1))
        }
        GradientMode.withoutGradients {
            for slot in order.reversed() {
                guard let node = slot.node else { continue }
                if let g = slot.gradient {
                    OpProfile.measure(OpProfile.Kind(operation: node.name)) { node.backward(g) }
                }
                // Drops the rule and with it what the forward pass saved for it.
                slot.node = nil
                slot.gradient = nil
            }
        }
    }

    /// Slots reachable from self's through recorded nodes, each after all of its inputs.
    private func topologicalOrder() -> [GradientSlot] {
        var order: [GradientSlot] = []
        var visited = Set<ObjectIdentifier>()
        // Iterative depth-first search: ResNet graphs are deep enough to matter for recursion.
        var stack: [(slot: GradientSlot, expanded: Bool)] = [(slot, false)]
        while let (slot, expanded) = stack.popLast() {
            if expanded { order.append(slot); continue }
            guard visited.insert(ObjectIdentifier(slot)).inserted else { continue }
            stack.append((slot, true))
            for input in slot.node?.inputs ?? [] where !visited.contains(ObjectIdentifier(input)) {
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
