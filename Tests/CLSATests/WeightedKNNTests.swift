import Foundation
import TensorCore
import XCTest
@testable import CLSA

final class WeightedKNNTests: XCTestCase {
    /// Unit vectors at angle θ in the plane.
    private func directions(_ angles: [Double]) -> Tensor {
        Tensor(shape: [angles.count, 2], scalars: angles.flatMap { [Float(cos($0)), Float(sin($0))] })
    }

    /// With k = 1 the nearest neighbour's class wins, whatever the lengths of the vectors.
    func testNearestNeighbourDecidesWithKOne() {
        let train = Tensor(shape: [3, 2], scalars: [10, 0, 0, 0.1, -3, 0])
        let queries = Tensor(shape: [3, 2], scalars: [1, 0.2, 0.1, 5, -1, -0.3])
        let knn = WeightedKNN(k: 1, temperature: 0.1)
        XCTAssertEqual(knn.predict(queries: queries, train: train, trainLabels: [0, 1, 2], classCount: 3), [0, 1, 2])
    }

    /// Votes are weighted by exp(s/T): one very close neighbour of class 1 outvotes two far ones
    /// of class 0 at a low temperature, and loses to them at a high one, where weights are nearly equal.
    func testVotesAreWeightedBySimilarity() {
        // Query at angle 0; class 1 at 0.1 rad (s ≈ 0.995), class 0 at ±1.2 rad (s ≈ 0.362).
        let train = directions([0.1, 1.2, -1.2])
        let query = directions([0])
        let labels = [1, 0, 0]
        XCTAssertEqual(WeightedKNN(k: 3, temperature: 0.1).predict(queries: query, train: train, trainLabels: labels, classCount: 2), [1])
        XCTAssertEqual(WeightedKNN(k: 3, temperature: 10).predict(queries: query, train: train, trainLabels: labels, classCount: 2), [0])
        // The crossover: exp(0.995/T) = 2·exp(0.362/T) at T = 0.633/ln 2 ≈ 0.913.
        XCTAssertEqual(WeightedKNN(k: 3, temperature: 0.85).predict(queries: query, train: train, trainLabels: labels, classCount: 2), [1])
        XCTAssertEqual(WeightedKNN(k: 3, temperature: 0.98).predict(queries: query, train: train, trainLabels: labels, classCount: 2), [0])
    }

    /// Only the k nearest vote: the far majority of class 0 is outside k = 2.
    func testOnlyTheKNearestVote() {
        let train = directions([0.05, -0.05, 2.0, 2.1, 2.2, 2.3])
        let labels = [1, 1, 0, 0, 0, 0]
        let query = directions([0])
        XCTAssertEqual(WeightedKNN(k: 2, temperature: 1).predict(queries: query, train: train, trainLabels: labels, classCount: 2), [1])
        XCTAssertEqual(WeightedKNN(k: 6, temperature: 100).predict(queries: query, train: train, trainLabels: labels, classCount: 2), [0])
    }

    /// k = 200 with fewer training samples uses them all (clamped), and accuracy is a percentage.
    func testKIsClampedAndAccuracyIsAPercentage() {
        let train = directions([0, 0.1, 3.0, 3.1])
        let queries = directions([0.05, 3.05, 0.02, 1.6])
        let knn = WeightedKNN()
        XCTAssertEqual(knn.k, 200)
        XCTAssertEqual(knn.temperature, 0.1)
        let accuracy = knn.top1Accuracy(queries: queries, queryLabels: [0, 1, 0, 0], train: train,
                                        trainLabels: [0, 0, 1, 1], classCount: 2)
        // The query at 1.6 rad is nearer class 1 (at 3.0, 3.1) than class 0 (at 0, 0.1): 3 of 4 right.
        XCTAssertEqual(accuracy, 75)
    }

    /// Ties: equal similarities rank the lower training index first; equal class totals pick the lower class.
    func testTiesAreBrokenDeterministically() {
        let train = Tensor(shape: [4, 2], scalars: [1, 0, 1, 0, 1, 0, 1, 0])
        let query = Tensor(shape: [1, 2], scalars: [1, 0])
        XCTAssertEqual(WeightedKNN(k: 1).predict(queries: query, train: train, trainLabels: [2, 1, 0, 0], classCount: 3), [2])
        XCTAssertEqual(WeightedKNN(k: 2).predict(queries: query, train: train, trainLabels: [2, 1, 0, 0], classCount: 3), [1])
    }

    /// Many queries against many samples (several similarity blocks, threads) agree with a
    /// brute-force reference.
    func testAgreesWithABruteForceReference() {
        var random = SeededRandom(seed: 5)
        let (n, m, d, classes, k) = (300, 97, 8, 5, 20)
        let train = Tensor(shape: [n, d], scalars: (0..<(n * d)).map { _ in Float(random.normal()) })
        let queries = Tensor(shape: [m, d], scalars: (0..<(m * d)).map { _ in Float(random.normal()) })
        let labels = (0..<n).map { _ in random.integer(in: 0...(classes - 1)) }
        let predicted = WeightedKNN(k: k, temperature: 0.1).predict(queries: queries, train: train, trainLabels: labels, classCount: classes)
        func unit(_ t: Tensor, _ row: Int) -> [Double] {
            let v = (0..<d).map { Double(t.data[row * d + $0]) }
            let norm = v.map { $0 * $0 }.reduce(0, +).squareRoot()
            return v.map { $0 / norm }
        }
        let trainUnits = (0..<n).map { unit(train, $0) }
        for q in 0..<m {
            let query = unit(queries, q)
            let similarities = trainUnits.map { zip($0, query).map(*).reduce(0, +) }
            let nearest = similarities.indices.sorted { similarities[$0] > similarities[$1] }.prefix(k)
            var votes = [Double](repeating: 0, count: classes)
            for j in nearest { votes[labels[j]] += exp(similarities[j] / 0.1) }
            XCTAssertEqual(predicted[q], votes.indices.max { votes[$0] < votes[$1] }!, "query \(q)")
        }
    }
}
