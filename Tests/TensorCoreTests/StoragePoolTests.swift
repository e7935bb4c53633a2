import XCTest
@testable import TensorCore

final class StoragePoolTests: XCTestCase {
    /// A released large block is handed out again for the same size without a new allocation;
    /// small blocks always come from the system allocator, and each is counted.
    func testLargeBlocksAreReusedAndMissesCounted() {
        let pool = StoragePool.shared
        let large = pool.minimumPooledCount + 7
        do { _ = TensorStorage(uninitializedCount: large) }
        let before = pool.systemAllocationCount
        do { _ = TensorStorage(uninitializedCount: large) }
        XCTAssertEqual(pool.systemAllocationCount, before, "the released block must be reused")
        do { _ = TensorStorage(uninitializedCount: 16) }
        XCTAssertEqual(pool.systemAllocationCount, before + 1)
        do {
            let held = TensorStorage(uninitializedCount: large)
            _ = TensorStorage(uninitializedCount: large)  // the pool has one block of this size, held
            XCTAssertEqual(held.count, large)
        }
        XCTAssertEqual(pool.systemAllocationCount, before + 2)
    }
}
