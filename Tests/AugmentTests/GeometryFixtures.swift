import Foundation
import XCTest
@testable import Augment

/// Loads the `geometry-*.png` fixtures made by `Scripts/fixtures/make_geometry_fixtures.py` and
/// compares images.
enum GeometryFixtures {
    /// The fixture `geometry-<name>.png`, decoded.
    static func image(_ name: String) throws -> RGBImage {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "geometry-\(name)", withExtension: "png",
                                                  subdirectory: "Fixtures"),
                                "missing fixture geometry-\(name).png: run Scripts/fixtures/make_geometry_fixtures.py")
        return try PNGCodec.decode(Array(try Data(contentsOf: url)))
    }

    /// The 64×48 scene every fixture op starts from.
    static func input() throws -> RGBImage { try image("input") }

    /// The 29×21 top-left crop of `input()` that the sweep fixtures transform.
    static func sweepInput() throws -> RGBImage { try input().cropped(x: 0, y: 0, width: 29, height: 21) }

    /// The expected outputs stacked in `geometry-sweep-<name>.png`, cut apart by their sizes.
    static func sweep(_ name: String, sizes: [(width: Int, height: Int)]) throws -> [RGBImage] {
        let canvas = try image("sweep-\(name)")
        var top = 0
        return sizes.map { size in
            defer { top += size.height }
            return canvas.cropped(x: 0, y: top, width: size.width, height: size.height)
        }
    }

    /// Asserts that `actual` equals `expected` pixel for pixel, naming the first differing pixel
    /// and how many differ.
    static func assertIdentical(_ actual: RGBImage, _ expected: RGBImage, _ label: String,
                                file: StaticString = #filePath, line: UInt = #line) {
        guard actual.width == expected.width && actual.height == expected.height else {
            return XCTFail("\(label): size \(actual.width)×\(actual.height), expected \(expected.width)×\(expected.height)",
                           file: file, line: line)
        }
        let differing = (0..<(actual.width * actual.height)).filter { (i: Int) -> Bool in
            actual.pixels[(i * 3)..<(i * 3 + 3)] != expected.pixels[(i * 3)..<(i * 3 + 3)]
        }
        if let i = differing.first {
            let x = i % actual.width, y = i / actual.width
            XCTFail("\(label): \(differing.count) pixels differ, first at (\(x), \(y)): \(actual[x, y]) vs \(expected[x, y])",
                    file: file, line: line)
        }
    }

    /// A deterministic noise image (each byte uniform) for property tests.
    static func noise(width: Int, height: Int, seed: UInt64) -> RGBImage {
        var state = seed
        let pixels = (0..<(width * height * 3)).map { _ -> UInt8 in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return UInt8(truncatingIfNeeded: state >> 56)
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }
}
