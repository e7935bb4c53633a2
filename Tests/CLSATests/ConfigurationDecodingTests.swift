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
}
