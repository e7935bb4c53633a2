import Foundation

/// Kernels over the rows of a row-major matrix — the last dimension of a tensor — shared by
/// the normalisation, softmax and loss ops. Rows are independent, so they spread over the
/// threads and each row's sums run in a fixed order.

/// Runs `body(row)` for each of `rows` rows of `width` elements, spread over the threads with
/// enough rows per thread to be worth the dispatch.
func forEachRow(_ rows: Int, width: Int, _ body: (Int) -> Void) {
    Threading.parallelRanges(rows, minimumChunk: max(1, elementwiseMinimumChunk / max(width, 1))) { range in
        for row in range { body(row) }
    }
}

/// (rows, width) of `x` seen as rows of its last dimension; `op` names the caller in failures.
func rowsOfLastDimension(_ x: Tensor, _ op: String) -> (rows: Int, width: Int) {
    precondition(x.rank >= 1 && x.shape[x.rank - 1] > 0, "\(op): needs a non-empty last dimension, got \(x.shape)")
    let width = x.shape[x.rank - 1]
    return (x.count / width, width)
}

/// ⟨a, b⟩ over `count` elements, summed in Double in order.
func dotDouble(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Double {
    var total = 0.0
    for i in 0..<count { total += Double(a[i]) * Double(b[i]) }
    return total
}

/// The log-normaliser ℓ = log Σ exp(x[i]) of a row, kept as its two parts m + log s, where m
/// is the row maximum and s = Σ exp(x[i] − m) (summed in Double). No exponential overflows and
/// the largest term is exactly 1; keeping the parts apart matters for large logits, where
/// ℓ itself rounds at |m|'s scale but (x − m) − log s stays accurate.
struct LogSumExp {
    let largest: Float
    let logSum: Float

    /// log softmax of an element z of the row.
    @inline(__always) func logProbability(_ z: Float) -> Float { (z - largest) - logSum }

    /// ℓ in Double.
    var value: Double { Double(largest) + Double(logSum) }
}

extension LogSumExp {
    /// The normaliser of the row x[0..<count] (count ≥ 1).
    init(_ x: UnsafePointer<Float>, count: Int) {
        var largest = x[0]
        for i in 1..<count { largest = max(largest, x[i]) }
        var total = 0.0
        for i in 0..<count { total += Double(exp(x[i] - largest)) }
        self.init(largest: largest, logSum: Float(log(total)))
    }
}

/// dst[i] = value(i), or dst[i] += value(i) when `accumulate` — the two ways a gradient
/// buffer from `GradientSlot.accumulateInPlace` is filled.
@inline(__always)
func store(_ dst: UnsafeMutablePointer<Float>, count: Int, accumulate: Bool, _ value: (Int) -> Float) {
    if accumulate {
        for i in 0..<count { dst[i] += value(i) }
    } else {
        for i in 0..<count { dst[i] = value(i) }
    }
}
