import XCTest
@testable import TensorCore

final class StoragePoolTests: XCTestCase {
    /// A released block, large or small, is handed out again for the same size without a new
    /// allocation; a size the pool has no idle block of is a counted miss.
    func testBlocksAreReusedAndMissesCounted() {
        let pool = StoragePool.shared
        let large = (1 << 18) + 7, small = 5
        do { _ = TensorStorage(uninitializedCount: large); _ = TensorStorage(uninitializedCount: small) }
        let before = pool.systemAllocationCount
        do { _ = TensorStorage(uninitializedCount: large) }
        do { _ = TensorStorage(uninitializedCount: small) }
        XCTAssertEqual(pool.systemAllocationCount, before, "the released blocks must be reused")
        do { _ = TensorStorage(uninitializedCount: 1 << 20 | 3) }
        XCTAssertEqual(pool.systemAllocationCount, before + 1)
        do {
            let held = TensorStorage(uninitializedCount: large)
            _ = TensorStorage(uninitializedCount: large)  // the pool has one block of this size, held
            XCTAssertEqual(held.count, large)
        }
        XCTAssertEqual(pool.systemAllocationCount, before + 2)
    }
}
