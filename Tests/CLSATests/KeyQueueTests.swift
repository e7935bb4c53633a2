import TensorCore
import XCTest
@testable import CLSA

final class KeyQueueTests: XCTestCase {
    func testInitialKeysAreUnitVectors() {
        var random = SeededRandom(seed: 0)
        let queue = KeyQueue(size: 8, dimension: 5, random: &random)
        for row in 0..<8 {
            let norm = (0..<5).reduce(Float(0)) { $0 + queue.keys.data[row * 5 + $1] * queue.keys.data[row * 5 + $1] }
            XCTAssertEqual(norm, 1, accuracy: 1e-5)
        }
    }

    func testFirstInFirstOutWithWrapAround() {
        var random = SeededRandom(seed: 0)
        let queue = KeyQueue(size: 6, dimension: 1, random: &random)
        queue.enqueue(Tensor(shape: [2, 1], scalars: [1, 2]))
        queue.enqueue(Tensor(shape: [2, 1], scalars: [3, 4]))
        XCTAssertEqual(queue.pointer, 4)
        queue.enqueue(Tensor(shape: [2, 1], scalars: [5, 6]))
        XCTAssertEqual(queue.pointer, 0)
        XCTAssertEqual(queue.keys.scalars, [1, 2, 3, 4, 5, 6])
        queue.enqueue(Tensor(shape: [2, 1], scalars: [7, 8]))   // overwrites the oldest two
        XCTAssertEqual(queue.keys.scalars, [7, 8, 3, 4, 5, 6])
        XCTAssertEqual(queue.pointer, 2)
    }

    func testSizeMustBeAMultipleOfTheBatch() {
        XCTAssertNoThrow(try KeyQueue.validate(size: 65536, batchSize: 256))
        XCTAssertThrowsError(try KeyQueue.validate(size: 1000, batchSize: 256)) { error in
            XCTAssertEqual("\(error)", "`queueSize` 1000 must be a positive multiple of `batchSize` 256")
        }
    }
}
