import XCTest
@testable import TensorCore

/// How `ImageBlocking` sizes blocks: the column rule, and the cache rule for small weights.
final class ImageBlockingTests: XCTestCase {
    /// 300 KB of buffer and 64 columns per image, as a Winograd F(4×4) block of the
    /// `fashion-mnist` network's 32 px layer (16 + 16 channels, 64 tiles).
    private static let imageFloats = 75_000

    func testSmallWeightsTakeCacheSizedBlocksPerThread() {
        for threads in [1, 2] {
            let blocking = Threading.withThreadCount(threads) {
                ImageBlocking(batch: 64, floatsPerImage: Self.imageFloats, columnsPerImage: 64, weightCount: 16 * 16 * 9,
                              cacheBytes: 1 << 20)
            }
            XCTAssertEqual(blocking.shares, threads, "threads \(threads)")
            XCTAssertEqual(blocking.blockImages, 3, "1 MiB holds 3 images of 300 KB; threads \(threads)")
        }
    }

    func testAnImageLargerThanTheCacheIsABlockOfItsOwn() {
        let blocking = ImageBlocking(batch: 8, floatsPerImage: 1 << 20, columnsPerImage: 64, weightCount: 9,
                                     cacheBytes: 1 << 20)
        XCTAssertEqual(blocking.blockImages, 1)
    }

    func testLargeWeightsKeepTheColumnRule() {
        let large = ConvolutionTuning.perThreadWeightLimit + 1
        let columnRule = ImageBlocking(batch: 64, floatsPerImage: Self.imageFloats, columnsPerImage: 64, weightCount: large)
        let withCache = ImageBlocking(batch: 64, floatsPerImage: Self.imageFloats, columnsPerImage: 64, weightCount: large,
                                      cacheBytes: 1 << 20)
        XCTAssertEqual(withCache.shares, 1)
        XCTAssertEqual(withCache.blockImages, columnRule.blockImages)
        // At least `minimumBlockColumns` columns: 2,048 / 64 = 32 images, past the 4 MiB budget's 13.
        XCTAssertEqual(columnRule.blockImages, ConvolutionTuning.minimumBlockColumns / 64)
    }
}
