import Foundation
import XCTest
@testable import CLSA

/// `PretrainingConfiguration`'s JSON: closed sets spelled as in `config.json`, absent fields
/// taking their defaults (so that fields added later keep old runs loading), bad values refused.
final class ConfigurationDecodingTests: XCTestCase {
    private func decode(_ json: String) throws -> PretrainingConfiguration {
        try JSONDecoder().decode(PretrainingConfiguration.self, from: Data(json.utf8))
    }

    func testAbsentFieldsTakeTheirDefaults() throws {
        XCTAssertEqual(try decode("{}"), PretrainingConfiguration())
        let configuration = try decode(#"{"architecture": "resnet18-small", "batchSize": 64}"#)
        var expected = PretrainingConfiguration()
        expected.architecture = .resnet18Small
        expected.batchSize = 64
        XCTAssertEqual(configuration, expected)
    }

    func testClosedSetsKeepTheirSpellings() throws {
        var configuration = PretrainingConfiguration()
        configuration.architecture = .resnet50Small
        configuration.objective = .strongContrastive
        configuration.strongPool = .released
        configuration.strongMagnitudes = .continuous
        let json = try XCTUnwrap(String(data: try JSONEncoder().encode(configuration), encoding: .utf8))
        for spelling in [#""architecture":"resnet50-small""#, #""objective":"strong-contrastive""#,
                         #""strongPool":"released""#, #""strongMagnitudes":"continuous""#] {
            XCTAssertTrue(json.contains(spelling), "\(spelling) in \(json)")
        }
        XCTAssertEqual(try decode(json), configuration)
    }

    func testBadValuesAreRefused() {
        XCTAssertThrowsError(try decode(#"{"architecture": "vgg16"}"#))
        XCTAssertThrowsError(try decode(#"{"strongPool": "mine"}"#))
        XCTAssertThrowsError(try decode(#"{"batchSize": "many"}"#))
    }

    /// `blur` reaches T, T′ and the strong views' base; the default leaves the paper's views.
    func testBlurReachesEveryView() throws {
        var configuration = PretrainingConfiguration()
        configuration.imageSize = 32
        configuration.strongSizes = [14]
        XCTAssertEqual(try configuration.views().weak.blurSigma, 0.1...2.0)
        configuration.blur = .scaled
        let views = try configuration.views()
        XCTAssertEqual(views.weak.blurSigma.upperBound, 2.0 * 32 / 224, accuracy: 1e-12)
        XCTAssertEqual(views.strong[0].base.blurSigma.upperBound, 2.0 * 14 / 224, accuracy: 1e-12)
        configuration.blur = .off
        XCTAssertEqual(try configuration.views().strong[0].base.blurProbability, 0)
        XCTAssertEqual(try decode(#"{"blur": "off"}"#).blur, .off)
    }
}
