import TensorCore
import XCTest
@testable import Augment

final class EvaluationTransformTests: XCTestCase {
    func testSizesFollowTorchvisionsProtocol() {
        XCTAssertEqual(EvaluationTransform(size: 224).resizedShorterSide, 256)
        XCTAssertEqual(EvaluationTransform(size: 28).resizedShorterSide, 32)
        XCTAssertEqual(EvaluationTransform(size: 96).resizedShorterSide, 109)
    }

    /// The view equals resizing the shorter side then centre-cropping (both fixture-tested against PIL).
    func testViewIsResizeThenCentreCrop() {
        var random = SeededRandom(seed: 1)
        let image = RGBImage(width: 50, height: 37, pixels: (0..<(50 * 37 * 3)).map { _ in UInt8(random.integer(in: 0...255)) })
        let transform = EvaluationTransform(size: 28)
        let expected = image.resizedShorterSide(to: 32).centerCropped(width: 28, height: 28)
        XCTAssertEqual(transform.views(of: image) { SeededRandom(seed: 0, UInt64($0)) }, [expected])
        XCTAssertEqual(transform.viewShapes.map { [$0.height, $0.width] }, [[28, 28]])
    }
}

final class CLSAViewsTests: XCTestCase {
    private let image: RGBImage = {
        var random = SeededRandom(seed: 2)
        return RGBImage(width: 40, height: 30, pixels: (0..<(40 * 30 * 3)).map { _ in UInt8(random.integer(in: 0...255)) })
    }()

    func testViewOrderAndSizes() {
        let views = CLSAViews(weak: WeakAugmentation(size: 32), strong: [StrongAugmentation(size: 14, weakSize: 32)])
        XCTAssertEqual(views.viewShapes.map { $0.width }, [32, 32, 14])
        let out = views.views(of: image) { SeededRandom(seed: 3, UInt64($0)) }
        XCTAssertEqual(out.map(\.width), [32, 32, 14])
        XCTAssertNotEqual(out[0], out[1], "T and T′ draw from different streams")
    }

    /// MoCo v2 (no strong views) sees exactly the same T and T′ as CLSA.
    func testStrongViewsDoNotChangeTheWeakViews() {
        let clsa = CLSAViews(weak: WeakAugmentation(size: 32), strong: [StrongAugmentation(size: 14, weakSize: 32)])
        let moco = CLSAViews(weak: WeakAugmentation(size: 32), strong: [])
        let a = clsa.views(of: image) { SeededRandom(seed: 4, UInt64($0)) }
        let b = moco.views(of: image) { SeededRandom(seed: 4, UInt64($0)) }
        XCTAssertEqual(Array(a.prefix(2)), b)
    }
}

final class CLSAViewsWeakSizesTests: XCTestCase {
    /// Several weak query sizes: T, one T′ per size, then S; the first T′ is the single-size T′.
    func testOneWeakQueryPerSize() {
        var random = SeededRandom(seed: 6)
        let image = RGBImage(width: 40, height: 30, pixels: (0..<(40 * 30 * 3)).map { _ in UInt8(random.integer(in: 0...255)) })
        let strong = [StrongAugmentation(size: 14, weakSize: 32)]
        let multi = CLSAViews(weak: WeakAugmentation(size: 32), weakQuerySizes: [32, 24], strong: strong)
        let single = CLSAViews(weak: WeakAugmentation(size: 32), strong: strong)
        XCTAssertEqual(multi.viewShapes.map { $0.width }, [32, 32, 24, 14])
        XCTAssertEqual(multi.weakQueryViews, 1..<3)
        XCTAssertEqual(multi.strongViews, 3..<4)
        let a = multi.views(of: image) { SeededRandom(seed: 4, UInt64($0)) }
        let b = single.views(of: image) { SeededRandom(seed: 4, UInt64($0)) }
        XCTAssertEqual(Array(a.prefix(2)), Array(b.prefix(2)))
        XCTAssertEqual(a.map(\.width), [32, 32, 24, 14])
    }
}
