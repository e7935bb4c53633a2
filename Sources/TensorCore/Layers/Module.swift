/// A 64-bit integer buffer held by reference, so checkpoints can read and restore it in place
/// (BatchNorm's `num_batches_tracked`, stored as I64 like PyTorch's).
public final class Int64Buffer {
    public var value: Int64
    public init(_ value: Int64 = 0) { self.value = value }
}

/// One entry of a module's state, named as in PyTorch's `state_dict`.
public struct StateEntry {
    public enum Kind { case parameter, buffer }
    public enum Value {
        case float(Tensor)
        case int64(Int64Buffer)
    }
    /// Dotted name, e.g. `layer1.0.bn1.running_mean`.
    public let name: String
    /// Trainable parameter, or buffer (running statistics, counters).
    public let kind: Kind
    public let value: Value

    public init(name: String, kind: Kind, value: Value) {
        self.name = name
        self.kind = kind
        self.value = value
    }
}

/// A network building block with named state, in the spirit of `torch.nn.Module`.
///
/// Conforming types list their own parameters and buffers and those of their children under
/// PyTorch's `state_dict` names, in registration order; everything else (parameter lists for
/// the optimiser, checkpoints, the momentum update) is derived from that one listing.
public protocol Module: AnyObject {
    /// Parameters and buffers of this module and its children, names prefixed with `prefix`
    /// (which is empty or ends with a dot).
    func stateEntries(prefix: String) -> [StateEntry]
    /// Switches training behaviour (BatchNorm statistics) for this module and its children.
    func setTraining(_ training: Bool)
}

extension Module {
    /// All state under torchvision-style names.
    public var state: [StateEntry] { stateEntries(prefix: "") }

    /// Trainable parameters with their names, in registration order.
    public var namedParameters: [(name: String, tensor: Tensor)] {
        state.compactMap { entry in
            guard entry.kind == .parameter, case .float(let t) = entry.value else { return nil }
            return (entry.name, t)
        }
    }

    /// Trainable parameters in registration order.
    public var parameters: [Tensor] { namedParameters.map(\.tensor) }

    /// Number of trainable scalars.
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.count } }

    /// Clears every parameter's gradient.
    public func zeroGradients() {
        for p in parameters { p.gradient = nil }
    }
}

extension Module {
    /// Copies every parameter and buffer from `source`, which must have the same state names
    /// and shapes (e.g. a second instance of the same architecture).
    public func assignState(from source: Module) {
        let mine = state, theirs = source.state
        precondition(mine.map(\.name) == theirs.map(\.name), "assignState: the modules' state names differ")
        for (target, origin) in zip(mine, theirs) {
            switch (target.value, origin.value) {
            case (.float(let t), .float(let o)):
                precondition(t.shape == o.shape, "assignState: \(target.name) has shape \(t.shape), source \(o.shape)")
                t.assign(from: o)
            case (.int64(let t), .int64(let o)):
                t.value = o.value
            default:
                preconditionFailure("assignState: \(target.name) has different kinds of value")
            }
        }
    }
}

/// The state of named child modules, in order, each under `prefix + name + "."` — how a
/// container module lists its children, as `nn.Module` does.
public func stateEntries(of children: [(name: String, module: Module?)], prefix: String) -> [StateEntry] {
    children.flatMap { child in child.module?.stateEntries(prefix: prefix + child.name + ".") ?? [] }
}
