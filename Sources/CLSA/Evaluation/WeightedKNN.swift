import Foundation
import TensorCore

/// The weighted k-nearest-neighbour classifier of InstDisc, used by MoCo-style kNN monitors:
/// features are L2-normalised, a query's neighbours are the k training features of highest
/// cosine similarity s, each votes for its class with weight exp(s / T), and the class with the
/// largest total wins.
///
/// Ties are broken deterministically: among equal similarities the lower training index is the
/// nearer neighbour, among equal class totals the lower class index wins.
///
/// ```swift
/// let knn = WeightedKNN(k: 200, temperature: 0.1)
/// let percent = knn.top1Accuracy(queries: val, queryLabels: valLabels,
///                                train: train, trainLabels: trainLabels, classCount: 10)
/// ```
public struct WeightedKNN: Equatable, Sendable {
    /// Neighbours per query; clamped to the training set's size.
    public var k: Int
    /// T, the temperature of the vote weights.
    public var temperature: Double

    public init(k: Int = 200, temperature: Double = 0.1) {
        precondition(k >= 1, "WeightedKNN: k must be at least 1, got \(k)")
        precondition(temperature > 0, "WeightedKNN: temperature must be positive, got \(temperature)")
        self.k = k
        self.temperature = temperature
    }

    /// Similarity rows per GEMM: a block of [rows, N] similarities stays near 64 MiB.
    private static let similarityBlockElements = 1 << 24

    /// The predicted class of each query.
    ///
    /// - Parameters:
    ///   - queries: [M, D], any length (normalised here).
    ///   - train: [N, D], any length (normalised here).
    ///   - trainLabels: N classes in 0..<classCount.
    /// - Returns: M classes.
    public func predict(queries: Tensor, train: Tensor, trainLabels: [Int], classCount: Int) -> [Int] {
        precondition(queries.rank == 2 && train.rank == 2 && queries.shape[1] == train.shape[1],
                     "WeightedKNN: queries \(queries.shape) and training features \(train.shape) must be [M, D] and [N, D]")
        precondition(train.shape[0] == trainLabels.count && !trainLabels.isEmpty,
                     "WeightedKNN: \(trainLabels.count) labels for \(train.shape[0]) training features")
        precondition(classCount >= 1 && trainLabels.allSatisfy { (0..<classCount).contains($0) },
                     "WeightedKNN: training labels outside 0..<\(classCount)")
        let queryCount = queries.shape[0], trainCount = train.shape[0], width = queries.shape[1]
        let neighbours = min(k, trainCount)
        let inverseTemperature = 1 / temperature
        let normalizedTrain = withoutGradients { l2Normalized(train) }
        let normalizedQueries = withoutGradients { l2Normalized(queries) }
        var predictions = [Int](repeating: 0, count: queryCount)
        let blockRows = max(1, Self.similarityBlockElements / trainCount)
        for blockStart in stride(from: 0, to: queryCount, by: blockRows) {
            let rows = min(blockRows, queryCount - blockStart)
            let block = Tensor(uninitializedShape: [rows, width])
            block.data.update(from: normalizedQueries.data + blockStart * width, count: rows * width)
            let similarities = withoutGradients { matmul(block, normalizedTrain, transposeB: true) }
            predictions.withUnsafeMutableBufferPointer { output in
                let output = output.baseAddress! + blockStart
                Threading.parallelRanges(rows) { range in
                    var nearest = NeighbourHeap(capacity: neighbours)
                    var votes = [Double](repeating: 0, count: classCount)
                    for row in range {
                        nearest.removeAll()
                        let scores = similarities.data + row * trainCount
                        for j in 0..<trainCount { nearest.offer(score: scores[j], index: j) }
                        for c in 0..<classCount { votes[c] = 0 }
                        nearest.forEach { score, index in
                            votes[trainLabels[index]] += exp(Double(score) * inverseTemperature)
                        }
                        var best = 0
                        for c in 1..<classCount where votes[c] > votes[best] { best = c }
                        output[row] = best
                    }
                }
            }
        }
        return predictions
    }

    /// Top-1 accuracy of `predict` against `queryLabels`, in percent.
    public func top1Accuracy(queries: Tensor, queryLabels: [Int], train: Tensor, trainLabels: [Int],
                             classCount: Int) -> Double {
        precondition(queryLabels.count == queries.shape[0], "WeightedKNN: \(queryLabels.count) labels for \(queries.shape[0]) queries")
        guard !queryLabels.isEmpty else { return 0 }
        let predicted = predict(queries: queries, train: train, trainLabels: trainLabels, classCount: classCount)
        let correct = zip(predicted, queryLabels).filter { $0 == $1 }.count
        return 100 * Double(correct) / Double(queryLabels.count)
    }
}

/// The `capacity` best (score, index) pairs seen: a min-heap whose root is the worst kept pair,
/// where a higher score is better and, among equal scores, a lower index.
private struct NeighbourHeap {
    private var scores: [Float]
    private var indices: [Int]
    private(set) var count = 0
    let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
        scores = [Float](repeating: 0, count: capacity)
        indices = [Int](repeating: 0, count: capacity)
    }

    mutating func removeAll() { count = 0 }

    /// Whether (s1, i1) ranks below (is a worse neighbour than) (s2, i2).
    @inline(__always)
    private static func worse(_ s1: Float, _ i1: Int, than s2: Float, _ i2: Int) -> Bool {
        s1 < s2 || (s1 == s2 && i1 > i2)
    }

    @inline(__always)
    mutating func offer(score: Float, index: Int) {
        if count < capacity {
            var child = count
            count += 1
            while child > 0 {
                let parent = (child - 1) / 2
                guard Self.worse(score, index, than: scores[parent], indices[parent]) else { break }
                scores[child] = scores[parent]; indices[child] = indices[parent]
                child = parent
            }
            scores[child] = score; indices[child] = index
        } else if Self.worse(scores[0], indices[0], than: score, index) {
            var parent = 0
            while true {
                var child = 2 * parent + 1
                guard child < count else { break }
                if child + 1 < count && Self.worse(scores[child + 1], indices[child + 1], than: scores[child], indices[child]) {
                    child += 1
                }
                guard Self.worse(scores[child], indices[child], than: score, index) else { break }
                scores[parent] = scores[child]; indices[parent] = indices[child]
                parent = child
            }
            scores[parent] = score; indices[parent] = index
        }
    }

    func forEach(_ body: (Float, Int) -> Void) {
        for i in 0..<count { body(scores[i], indices[i]) }
    }
}
