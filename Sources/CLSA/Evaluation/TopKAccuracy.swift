import TensorCore

/// Counts rows whose true class is among the k highest logits (top-1, top-5 accuracy).
///
/// A class's rank is the number of classes with a strictly higher logit plus those with an
/// equal logit and a smaller index, so ties are broken deterministically (toward the smaller
/// class index, as an argmax would).
///
/// - Parameters:
///   - logits: [N, K].
///   - labels: N classes in 0..<K.
///   - ks: the k values, each ≥ 1 (k ≥ K counts every row).
/// - Returns: for each k, the number of rows whose label ranks below k.
public func topKCorrectCounts(logits: Tensor, labels: [Int], ks: [Int]) -> [Int] {
    precondition(logits.rank == 2 && logits.shape[0] == labels.count,
                 "topKCorrectCounts: logits \(logits.shape) for \(labels.count) labels")
    precondition(ks.allSatisfy { $0 >= 1 }, "topKCorrectCounts: k must be at least 1, got \(ks)")
    let classes = logits.shape[1]
    var counts = [Int](repeating: 0, count: ks.count)
    for (row, label) in labels.enumerated() {
        precondition((0..<classes).contains(label), "topKCorrectCounts: label \(label) outside 0..<\(classes)")
        let scores = logits.data + row * classes
        let own = scores[label]
        var rank = 0
        for c in 0..<classes where scores[c] > own || (scores[c] == own && c < label) { rank += 1 }
        for (i, k) in ks.enumerated() where rank < k { counts[i] += 1 }
    }
    return counts
}
