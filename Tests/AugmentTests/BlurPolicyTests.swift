import XCTest
@testable import Augment

/// How a view's Gaussian blur is sized: MoCo v2's pixels, scaled with the view, or none.
final class BlurPolicyTests: XCTestCase {
    func testPolicies() {
        let weak = WeakAugmentation(size: 32)
        XCTAssertEqual(BlurPolicy.paper.applied(to: weak, size: 32), weak)
        let scaled = BlurPolicy.scaled.applied(to: weak, size: 32)
        XCTAssertEqual(scaled.blurSigma.lowerBound, 0.1 * 32 / 224, accuracy: 1e-12)
        XCTAssertEqual(scaled.blurSigma.upperBound, 2.0 * 32 / 224, accuracy: 1e-12)
        XCTAssertEqual(scaled.blurProbability, 0.5)
        XCTAssertEqual(BlurPolicy.scaled.applied(to: WeakAugmentation(size: 224), size: 224), WeakAugmentation(size: 224),
                       "at 224 px scaled is the paper's")
        let off = BlurPolicy.off.applied(to: weak, size: 32)
        XCTAssertEqual(off.blurProbability, 0)
        var withoutBlur = weak
        withoutBlur.blurProbability = 0
        XCTAssertEqual(off, withoutBlur, "nothing else changes")
    }
}
