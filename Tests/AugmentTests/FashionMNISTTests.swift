import Foundation
import XCTest
@testable import Augment

/// The installed Fashion-MNIST (Debian package dataset-fashion-mnist) and `--data` parsing.
final class FashionMNISTTests: XCTestCase {
    func testTrainingSplit() throws {
        let train = try InstalledFashionMNIST.split(.train)
        XCTAssertEqual(train.count, 60_000)
        XCTAssertEqual(train.classNames.count, 10)
        XCTAssertEqual((0..<10).map { train.label(at: $0) }, [9, 0, 0, 3, 0, 2, 7, 2, 5, 5])
        let image = try train.loadImage(at: 0)
        XCTAssertEqual([image.width, image.height], [28, 28])
        XCTAssertEqual(train.grayPixels(at: 0).reduce(0) { $0 + Int($1) }, 76_247)
        XCTAssertEqual(train.name(at: 7), "fashion-mnist:train[7]")
    }

    /// The held-out validation split: the last 10,000 training images, in order.
    func testSlicesAreContiguousRangesInOrder() throws {
        let train = try InstalledFashionMNIST.split(.train)
        let validation = try DatasetSpecifier(parsing: "fashion-mnist:train[50000:]").open()
        let fit = try DatasetSpecifier(parsing: "fashion-mnist:train[:50000]").open()
        XCTAssertEqual([fit.count, validation.count], [50_000, 10_000])
        XCTAssertEqual(validation.label(at: 0), train.label(at: 50_000))
        XCTAssertEqual(validation.name(at: 9_999), train.name(at: 59_999))
        XCTAssertEqual(try validation.loadImage(at: 3), try train.loadImage(at: 50_003))
        XCTAssertEqual(fit.classNames, train.classNames)
        XCTAssertThrowsError(try DatasetSpecifier(parsing: "fashion-mnist:train[59000:61000]").open())
        XCTAssertThrowsError(try DatasetSpecifier(parsing: "fashion-mnist:train[5:5]").open())
    }

    func testTestSplit() throws {
        let test = try InstalledFashionMNIST.split(.test)
        XCTAssertEqual(test.count, 10_000)
        XCTAssertEqual((0..<10).map { test.label(at: $0) }, [9, 2, 1, 1, 6, 1, 4, 6, 5, 7])
        XCTAssertEqual(test.grayPixels(at: 0).reduce(0) { $0 + Int($1) }, 33_456)
        XCTAssertEqual(FashionMNIST.classNames[9], "Ankle boot")
    }

    func testMissingFilesNameThePackage() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("no-fashion-mnist-\(UUID().uuidString)").path
        XCTAssertThrowsError(try FashionMNIST.dataset(.test, directory: directory)) { error in
            XCTAssertEqual(error as? DatasetError, .missingDataset(
                name: "Fashion-MNIST", file: directory + "/t10k-images-idx3-ubyte.gz", package: "dataset-fashion-mnist"))
            XCTAssertTrue("\(error)".contains("apt-get install dataset-fashion-mnist"), "\(error)")
        }
    }

    func testSpecifierParsing() throws {
        XCTAssertEqual(try DatasetSpecifier(parsing: "fashion-mnist"), .fashionMNIST(.train))
        XCTAssertEqual(try DatasetSpecifier(parsing: "fashion-mnist:train"), .fashionMNIST(.train))
        XCTAssertEqual(try DatasetSpecifier(parsing: "fashion-mnist:test"), .fashionMNIST(.test))
        XCTAssertEqual(try DatasetSpecifier(parsing: "data/imagenette/train"), .imageFolder("data/imagenette/train"))
        XCTAssertEqual(try DatasetSpecifier(parsing: "./fashion-mnist"), .imageFolder("./fashion-mnist"))
        XCTAssertEqual(DatasetSpecifier.fashionMNIST(.test).description, "fashion-mnist:test")
        XCTAssertEqual(try DatasetSpecifier(parsing: "fashion-mnist:train[50000:]"), .slice(.fashionMNIST(.train), start: 50_000, end: nil))
        XCTAssertEqual(try DatasetSpecifier(parsing: "fashion-mnist[:50000]"), .slice(.fashionMNIST(.train), start: nil, end: 50_000))
        XCTAssertEqual(try DatasetSpecifier(parsing: "fashion-mnist:test[10:20]").description, "fashion-mnist:test[10:20]")
        XCTAssertEqual(try DatasetSpecifier(parsing: "photos[1:2]"), .imageFolder("photos[1:2]"), "folders are never sliced")
        for bad in ["fashion-mnist[1:2:3]", "fashion-mnist[x:]", "fashion-mnist[-1:]"] {
            XCTAssertThrowsError(try DatasetSpecifier(parsing: bad), bad)
        }
        for bad in ["fashion-mnist:val", ""] {
            XCTAssertThrowsError(try DatasetSpecifier(parsing: bad)) { error in
                XCTAssertEqual(error as? DatasetError, .unknownDataset(bad, known: DatasetSpecifier.builtInNames))
            }
        }
    }

    func testSpecifierOpensTheDataset() throws {
        _ = try InstalledFashionMNIST.split(.test)
        let dataset = try DatasetSpecifier(parsing: "fashion-mnist:test").open()
        XCTAssertEqual(dataset.count, 10_000)
        XCTAssertEqual(dataset.classNames, FashionMNIST.classNames)
    }
}
