/// Element-wise arithmetic and reductions on tensors of equal shape, with their derivatives.

/// a + b, element-wise; shapes must match.
public func + (a: Tensor, b: Tensor) -> Tensor {
    precondition(a.shape == b.shape, "add: shapes \(a.shape) and \(b.shape) differ")
    let out = Tensor(uninitializedShape: a.shape)
    addVectors(out.data, a.data, b.data, count: a.count)
    let (da, db) = (a.gradientTarget, b.gradientTarget)
    return out.recordingGradient("add", inputs: [a, b]) { g in
        // d(a+b)/da = d(a+b)/db = 1: each input receives its own copy of g.
        da?.accumulate(db == nil ? g : g.copy())
        db?.accumulate(g)
    }
}

/// a − b, element-wise; shapes must match.
public func - (a: Tensor, b: Tensor) -> Tensor {
    a + b * -1
}

/// a ⊙ b, element-wise; shapes must match.
public func * (a: Tensor, b: Tensor) -> Tensor {
    precondition(a.shape == b.shape, "mul: shapes \(a.shape) and \(b.shape) differ")
    let out = Tensor(uninitializedShape: a.shape)
    multiplyVectors(out.data, a.data, b.data, count: a.count)
    let (da, db) = (a.gradientTarget, b.gradientTarget)
    return out.recordingGradient("mul", inputs: [a, b]) { g in
        if let da {
            let ga = Tensor(uninitializedShape: a.shape)
            multiplyVectors(ga.data, g.data, b.data, count: a.count)
            da.accumulate(ga)
        }
        if let db {
            let gb = Tensor(uninitializedShape: b.shape)
            multiplyVectors(gb.data, g.data, a.data, count: b.count)
            db.accumulate(gb)
        }
    }
}

/// s · a, element-wise.
public func * (a: Tensor, s: Float) -> Tensor {
    let out = Tensor(uninitializedShape: a.shape)
    scaleVector(out.data, a.data, s, count: a.count)
    let da = a.gradientTarget
    return out.recordingGradient("scale", inputs: [a]) { g in
        let ga = Tensor(uninitializedShape: g.shape)
        scaleVector(ga.data, g.data, s, count: g.count)
        da?.accumulate(ga)
    }
}

/// s · a, element-wise.
public func * (s: Float, a: Tensor) -> Tensor { a * s }

extension Tensor {
    /// Σ of all elements, shape [1]. Summed in Double in a fixed order.
    public func sum() -> Tensor {
        let out = Tensor(shape: [1], scalars: [Float(sumDouble(data, count: count))])
        let target = gradientTarget
        return out.recordingGradient("sum", inputs: [self]) { g in
            if let target { target.accumulate(Tensor(shape: target.shape, repeating: g.item)) }
        }
    }

    /// Mean of all elements, shape [1].
    public func mean() -> Tensor {
        sum() * (1 / Float(count))
    }

    /// The same elements viewed with `newShape` (same element count); shares memory.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        precondition(newShape.reduce(1, *) == count, "reshape: \(shape) to \(newShape)")
        let out = Tensor(shape: newShape, storage: storage)
        let target = gradientTarget
        return out.recordingGradient("reshape", inputs: [self]) { g in
            if let target { target.accumulate(g.reshapedStorage(target.shape)) }
        }
    }
}
