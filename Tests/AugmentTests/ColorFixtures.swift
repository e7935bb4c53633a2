import Foundation
import XCTest
@testable import Augment

/// The colour-operation fixtures made by `Scripts/fixtures/make_color_fixtures.py`: three input
/// images `color-<input>.png` and, for each, Pillow's output of every op as
/// `color-<input>-<op>-<parameter>.png`.
enum ColorFixtures {
    static let inputs = ["scene", "flatblue", "fewvalues"]

    static func image(_ name: String) throws -> RGBImage {
        let url = try XCTUnwrap(Bundle.module.url(forResource: name, withExtension: "png", subdirectory: "Fixtures"),
                                "missing fixture \(name).png")
        return try PNGCodec.decode([UInt8](try Data(contentsOf: url)))
    }

    /// Applies `operation` to every input and compares it with Pillow's `color-<input>-<output>.png`,
    /// failing when any sample differs by more than `tolerance`.
    static func assertMatchesPillow(_ output: String, tolerance: Int = 0,
                                    file: StaticString = #filePath, line: UInt = #line,
                                    _ operation: (RGBImage) -> RGBImage) throws {
        for input in inputs {
            let actual = operation(try image("color-\(input)"))
            let expected = try image("color-\(input)-\(output)")
            assertClose(actual, expected, tolerance: tolerance, "\(output) of \(input)", file: file, line: line)
        }
    }

    /// Fails with the count, the largest difference and the first offending pixel when a sample of
    /// `actual` differs from `expected` by more than `tolerance`.
    static func assertClose(_ actual: RGBImage, _ expected: RGBImage, tolerance: Int, _ label: String,
                            file: StaticString = #filePath, line: UInt = #line) {
        guard actual.width == expected.width, actual.height == expected.height else {
            return XCTFail("\(label): \(actual.width)×\(actual.height) instead of \(expected.width)×\(expected.height)",
                           file: file, line: line)
        }
        let differences = zip(actual.pixels, expected.pixels).map { abs(Int($0) - Int($1)) }
        guard let first = differences.firstIndex(where: { $0 > tolerance }) else { return }
        let pixel = first / 3
        XCTFail("\(label): \(differences.filter { $0 > tolerance }.count) of \(differences.count) samples differ "
                + "by more than \(tolerance) (largest \(differences.max()!)); first at x \(pixel % actual.width), "
                + "y \(pixel / actual.width), channel \(first % 3): \(actual.pixels[first]) instead of "
                + "\(expected.pixels[first])", file: file, line: line)
    }
}
