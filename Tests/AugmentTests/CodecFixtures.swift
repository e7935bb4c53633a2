import Foundation
import XCTest
@testable import Augment

/// The decoding fixtures made by `Scripts/fixtures/make_codec_fixtures.py`.
enum CodecFixtures {
    /// The fixture's path inside the test bundle.
    static func path(_ name: String) throws -> String {
        let url = Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures")
        return try XCTUnwrap(url, "missing fixture \(name)").path
    }

    static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: try path(name))))
    }

    /// PIL's `Image.open(input).convert("RGB")` for `input`, stored beside it as `<stem>.expected.png`
    /// (or `<stem>.<variant>.expected.png`).
    static func expected(for input: String, variant: String? = nil) throws -> RGBImage {
        let stem = (input as NSString).deletingPathExtension
        let name = [stem, variant, "expected.png"].compactMap { $0 }.joined(separator: ".")
        return try PNGCodec.decode(try bytes(name))
    }
}

/// Fails with the first differing pixel when `actual` is not `expected` byte for byte.
func assertIdentical(_ actual: RGBImage, _ expected: RGBImage, _ label: String,
                     file: StaticString = #filePath, line: UInt = #line) {
    guard actual.width == expected.width, actual.height == expected.height else {
        return XCTFail("\(label): size \(actual.width)×\(actual.height), expected \(expected.width)×\(expected.height)",
                       file: file, line: line)
    }
    guard let first = zip(actual.pixels, expected.pixels).enumerated().first(where: { $0.element.0 != $0.element.1 }) else {
        return
    }
    let differing = zip(actual.pixels, expected.pixels).filter { $0 != $1 }.count
    let maximum = zip(actual.pixels, expected.pixels).map { abs(Int($0) - Int($1)) }.max() ?? 0
    let pixel = first.offset / 3
    XCTFail("\(label): \(differing) of \(actual.pixels.count) samples differ (max |diff| \(maximum)); first at "
            + "x \(pixel % actual.width), y \(pixel / actual.width), channel \(first.offset % 3): "
            + "\(first.element.0) instead of \(first.element.1)", file: file, line: line)
}
