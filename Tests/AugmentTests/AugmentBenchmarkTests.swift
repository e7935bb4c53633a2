import Benchmarking
import Foundation
import XCTest
@testable import Augment

/// The data-pipeline benchmark runs on JPEG files and reports every figure and stage; its
/// folder errors name the folder.
final class AugmentBenchmarkTests: XCTestCase {
    func testReportsPositiveRatesAndEveryStage() throws {
        let photos = try ["jpeg_baseline_420.jpg", "jpeg_progressive.jpg", "jpeg_gray.jpg"].map(CodecFixtures.bytes)
        let benchmark = AugmentBenchmark(photos: photos, weakSize: 32, strongSize: 14, drawsPerPhoto: 1)
        let rates = try benchmark.throughput(warmups: 0, repetitions: 1)
        for rate in [rates.decodeJPEG, rates.weakView, rates.strongView, rates.clsaSingleSample] {
            XCTAssertTrue(rate.isFinite && rate > 0, "\(rates)")
        }
        let stages = try benchmark.stageCosts(warmups: 0, repetitions: 1)
        XCTAssertEqual(stages.map(\.name), [
            "decode_jpeg", "weak_crop_32", "color_jitter_32", "grayscale_32", "gaussian_blur_32", "flip_32",
            "strong_crop_14", "color_jitter_14", "grayscale_14", "gaussian_blur_14", "flip_14", "randaugment_rounds_14",
        ])
        // Two weak views and one strong view per sample, each op at its probability.
        XCTAssertEqual(stages.map(\.callsPerSample), [1, 2, 1.6, 0.4, 1, 1, 1, 0.8, 0.2, 0.5, 0.5, 1])
        XCTAssertTrue(stages.allSatisfy { $0.milliseconds >= 0 })
    }

    func testFolderErrors() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("augment-benchmark-\(UUID())").path
        XCTAssertThrowsError(try AugmentBenchmark(photosFolder: folder)) { error in
            XCTAssertEqual(error as? DatasetError, .missingFolder(folder))
        }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let png = try PNGCodec.encode(GeometryFixtures.noise(width: 4, height: 4, seed: 1))
        XCTAssertTrue(FileManager.default.createFile(atPath: folder + "/only.png", contents: Data(png)))
        XCTAssertThrowsError(try AugmentBenchmark(photosFolder: folder)) { error in
            XCTAssertEqual(error as? AugmentBenchmarkError, .noJPEGFiles(folder: folder))
            XCTAssertEqual("\(error)", "photo folder '\(folder)' contains no JPEG files")
        }
        XCTAssertTrue(FileManager.default.createFile(atPath: folder + "/photo.jpg",
                                                     contents: Data(try CodecFixtures.bytes("jpeg_baseline_444.jpg"))))
        XCTAssertEqual(try AugmentBenchmark(photosFolder: folder).photos.count, 1)
    }
}
