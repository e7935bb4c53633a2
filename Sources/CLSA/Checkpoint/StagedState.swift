import TensorCore

extension SafeTensorsWriter {
    /// Adds every entry of `state` under `prefix + name`: float tensors as F32, `Int64Buffer`s
    /// (BatchNorm's `num_batches_tracked`) as I64 scalars of shape [].
    mutating func add(state: [StateEntry], prefix: String = "") {
        for entry in state {
            switch entry.value {
            case .float(let tensor): add(prefix + entry.name, tensor)
            case .int64(let buffer): add(prefix + entry.name, int64: [buffer.value], shape: [])
            }
        }
    }
}

/// Values read from a checkpoint for in-memory state, every one checked (present, right dtype
/// and shape) before any is assigned: `apply()` either runs over a complete, valid set or is
/// never reached, so a model is never loaded half.
struct StagedState {
    private enum Assignment {
        case float(target: Tensor, value: Tensor)
        case int64(target: Int64Buffer, value: Int64)
    }
    private var assignments: [Assignment] = []
    private let reader: SafeTensorsReader

    init(reader: SafeTensorsReader) {
        self.reader = reader
    }

    /// Stages each entry of `state` from the tensor `prefix + name`.
    /// - Throws: `CheckpointError` naming the missing or mis-shaped tensor.
    mutating func stage(_ state: [StateEntry], prefix: String = "") throws {
        for entry in state {
            let name = prefix + entry.name
            switch entry.value {
            case .float(let target):
                try stage(target, from: name)
            case .int64(let target):
                try requireShape(name, [])
                let values = try reader.int64s(name)
                assignments.append(.int64(target: target, value: values[0]))
            }
        }
    }

    /// Stages `target` from the F32 tensor `name`, which must have `target`'s shape.
    mutating func stage(_ target: Tensor, from name: String) throws {
        try requireShape(name, target.shape)
        assignments.append(.float(target: target, value: try reader.tensor(name)))
    }

    /// Checks that tensor `name` exists with `shape`.
    func requireShape(_ name: String, _ shape: [Int]) throws {
        guard let entry = reader.entries[name] else {
            throw CheckpointError(file: reader.path, "no tensor named '\(name)'")
        }
        guard entry.shape == shape else {
            throw CheckpointError(file: reader.path, "tensor '\(name)' has shape \(entry.shape), expected \(shape)")
        }
    }

    /// Assigns every staged value.
    func apply() {
        for assignment in assignments {
            switch assignment {
            case .float(let target, let value): target.assign(from: value)
            case .int64(let target, let value): target.value = value
            }
        }
    }
}
