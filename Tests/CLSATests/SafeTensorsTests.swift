import Foundation
#if canImport(Glibc)
import Glibc
#endif
import TensorCore
import XCTest
@testable import CLSA

final class SafeTensorsTests: XCTestCase {
    private var folder: String!

    override func setUpWithError() throws {
        folder = NSTemporaryDirectory() + "safetensors-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: folder)
    }

    private func sampleFile() throws -> String {
        var writer = SafeTensorsWriter()
        writer.add("conv1.weight", Tensor(shape: [2, 1, 1, 3], scalars: [1, -2, 3.5, 0, 1e-8, -7]))
        writer.add("bn1.num_batches_tracked", int64: [42], shape: [])
        writer.metadata["epoch"] = "3"
        let path = folder + "/a.safetensors"
        try writer.write(to: path)
        return path
    }

    func testRoundTripKeepsValuesShapesAndMetadata() throws {
        let reader = try SafeTensorsReader(path: try sampleFile())
        XCTAssertEqual(reader.names, ["bn1.num_batches_tracked", "conv1.weight"])
        let w = try reader.tensor("conv1.weight")
        XCTAssertEqual(w.shape, [2, 1, 1, 3])
        XCTAssertEqual(w.scalars, [1, -2, 3.5, 0, 1e-8, -7])
        XCTAssertEqual(try reader.int64s("bn1.num_batches_tracked"), [42])
        XCTAssertEqual(reader.entries["bn1.num_batches_tracked"]?.shape, [])
        XCTAssertEqual(reader.metadata["epoch"], "3")
    }

    /// The layout the format specifies: u64 little-endian header size, JSON padded to 8 bytes.
    func testFileLayoutFollowsTheFormat() throws {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: try sampleFile())))
        let n = bytes.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        XCTAssertEqual(n % 8, 0)
        XCTAssertEqual(bytes.count, 8 + n + 6 * 4 + 8)
        let header = try JSONSerialization.jsonObject(with: Data(bytes[8..<(8 + n)])) as! [String: Any]
        let entry = header["conv1.weight"] as! [String: Any]
        XCTAssertEqual(entry["dtype"] as? String, "F32")
    }

    func testTruncatedFileIsRefused() throws {
        let path = try sampleFile()
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        try bytes.prefix(bytes.count - 5).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try SafeTensorsReader(path: path)) { error in
            XCTAssertTrue("\(error)".contains("truncated"), "\(error)")
            XCTAssertTrue("\(error)".contains(path), "\(error)")
        }
    }

    func testAlteredDataIsRefusedByTheChecksum() throws {
        let path = try sampleFile()
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        bytes[bytes.count - 12] ^= 0x01
        try bytes.write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try SafeTensorsReader(path: path)) { error in
            XCTAssertTrue("\(error)".contains("checksum"), "\(error)")
        }
    }

    func testGarbageIsRefused() throws {
        let path = folder + "/garbage.safetensors"
        try Data("definitely not a checkpoint".utf8).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try SafeTensorsReader(path: path))
    }

    /// A write that fails part-way (the disk fills up) throws naming the file and the reason,
    /// removes its temporary file and leaves the previous checkpoint intact. The file-size
    /// limit (RLIMIT_FSIZE) makes write() fail with EFBIG exactly as a full disk fails with ENOSPC.
    func testWriteFailingPartWayLeavesThePreviousFileIntact() throws {
        let path = try sampleFile()
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        var writer = SafeTensorsWriter()
        writer.add("big", Tensor(shape: [4096], repeating: 1))
        var saved = rlimit()
        getrlimit(Int32(RLIMIT_FSIZE.rawValue), &saved)
        var limited = saved
        limited.rlim_cur = 4096
        let previousHandler = signal(SIGXFSZ, SIG_IGN)
        setrlimit(Int32(RLIMIT_FSIZE.rawValue), &limited)
        defer {
            setrlimit(Int32(RLIMIT_FSIZE.rawValue), &saved)
            signal(SIGXFSZ, previousHandler)
        }
        XCTAssertThrowsError(try writer.write(to: path)) { error in
            XCTAssertTrue("\(error)".contains(path), "\(error)")
            XCTAssertTrue("\(error)".contains("write failed"), "\(error)")
        }
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), before)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.contains(".tmp-") }, [])
    }

    func testFailedWriteLeavesThePreviousFileIntact() throws {
        let path = try sampleFile()
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        // A folder that does not exist makes the temporary file impossible to create.
        var writer = SafeTensorsWriter()
        writer.add("x", Tensor(shape: [1], scalars: [1]))
        XCTAssertThrowsError(try writer.write(to: folder + "/missing/a.safetensors"))
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), before)
    }
}
