import CheckpointFuzzing
import Foundation
import ProcessRunning
import XCTest
@testable import CLSA

/// The fast part of the checkpoint fuzzing (the full corpus runs through every command in
/// `Scripts/fuzz-checkpoints`): seeded damaged variants of the committed fixture
/// (`Tests/CLSATests/Fixtures/fuzz-checkpoint`) must be refused by the loaders with a
/// `CheckpointError` naming the file, and by the built `clsa` with one `clsa:` line and status 1 or 2.
final class DamagedCheckpointTests: XCTestCase {
    private let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    private func corpus() throws -> CheckpointCorpus {
        try CheckpointCorpus(source: CheckpointFixture.bytes(root: root), seed: 1)
    }

    func testTheFixtureIsIntact() throws {
        let checkpoint = try TrainingCheckpoint(path: CheckpointFixture.path(root: root))
        XCTAssertEqual(checkpoint.metadata.baseWidth, 1)
        XCTAssertNoThrow(try BackboneFile.read(from: CheckpointFixture.path(root: root)))
    }

    func testTheCorpusIsSeeded() throws {
        let corpus = try corpus()
        for index in [0, 5, 40] {
            XCTAssertEqual(corpus.variant(index).bytes, corpus.variant(index).bytes)
        }
        XCTAssertNotEqual(corpus.variant(1).bytes, try CheckpointCorpus(source: CheckpointFixture.bytes(root: root), seed: 2).variant(1).bytes)
    }

    /// Two rounds of every damage kind through the backbone reader and the pretraining
    /// checkpoint's validation and restore.
    func testLoadersRefuseDamagedVariants() throws {
        let folder = try PretrainingFixtures.temporaryFolder(for: self)
        let corpus = try corpus()
        let variants = try corpus.write(count: 2 * CheckpointDamage.allCases.count, to: folder)
        var accepted: [String] = []
        for (variant, path) in variants {
            var refusals = 0
            for load in [{ _ = try BackboneFile.read(from: path) },
                         { _ = try TrainingCheckpoint(path: path).makeTrainer() }] {
                do {
                    try load()
                } catch let error as CheckpointError {
                    XCTAssertEqual(error.file, path, "\(variant.name): \(error)")
                    XCTAssertFalse(error.description.contains("\n"), "\(variant.name): \(error)")
                    refusals += 1
                } catch {
                    XCTFail("\(variant.name) (\(variant.detail)): not a CheckpointError: \(error)")
                }
            }
            if refusals < 2 { accepted.append("\(variant.name) (\(variant.detail))") }
        }
        XCTAssertEqual(accepted, [], "variants a loader took as valid")
    }

    /// The damages that crashed `clsa` before it validated shapes, offsets and metadata bounds.
    func testOnceFatalDamagesAreNamed() throws {
        let folder = try PretrainingFixtures.temporaryFolder(for: self)
        let source = try SafeTensorsLayout(bytes: CheckpointFixture.bytes(root: root))
        func refusal(header: Any, data: [UInt8] = source.data) throws -> String {
            let path = folder + "/damaged.safetensors"
            try Data(SafeTensorsLayout.bytes(header: header, data: data)).write(to: URL(fileURLWithPath: path))
            do {
                _ = try BackboneFile.read(from: path)
                return "accepted"
            } catch let error as CheckpointError {
                return error.reason
            }
        }
        func with(_ name: String, _ field: String, _ value: Any) -> [String: Any] {
            var header = source.header, entry = source.entry(name)
            entry[field] = value
            header[name] = entry
            return header
        }
        func withMetadata(_ key: String, _ value: String) -> [String: Any] {
            var header = source.header, metadata = source.metadata
            metadata[key] = value
            header["__metadata__"] = metadata
            return header
        }
        let offsets = source.entry("conv1.weight")["data_offsets"] as! [Int]
        XCTAssertEqual(try refusal(header: with("conv1.weight", "shape", [1 << 31, 1 << 31, 1 << 31])),
                       "damaged: tensor 'conv1.weight' has shape [2147483648, 2147483648, 2147483648], "
                       + "whose size overflows a 64-bit byte count")
        XCTAssertEqual(try refusal(header: with("conv1.weight", "data_offsets", [Int.min + 1, Int.max])),
                       "damaged: tensor 'conv1.weight' has byte range [\(Int.min + 1), \(Int.max)], which is negative or reversed")
        XCTAssertEqual(try refusal(header: with("conv1.weight", "data_offsets", offsets.map(String.init))),
                       "damaged: bad header entry for 'conv1.weight' (dtype, shape and data_offsets must be a string, "
                       + "an array of integers and two integers)")
        XCTAssertEqual(try refusal(header: with("conv1.weight", "dtype", "BF16")),
                       "tensor 'conv1.weight' has unsupported dtype BF16 (F32 and I64 are read)")
        XCTAssertEqual(try refusal(header: withMetadata("base_width", "999999999")),
                       "metadata 'base_width' 999999999 lies outside 1...256")
        XCTAssertEqual(try refusal(header: withMetadata("image_size", "-1")), "metadata 'image_size' -1 lies outside 8...1024")
        XCTAssertEqual(try refusal(header: [Any](repeating: [Any](), count: 1)), "damaged: the header is not a JSON object")

        let path = folder + "/nested.safetensors"
        let nested = [UInt8](repeating: UInt8(ascii: "["), count: 100_000) + [UInt8](repeating: UInt8(ascii: "]"), count: 100_000)
        try Data(SafeTensorsLayout.bytes(headerLength: UInt64(nested.count), header: nested, data: source.data))
            .write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try SafeTensorsReader(path: path)) { error in
            XCTAssertEqual((error as? CheckpointError)?.reason, "damaged: the header nests deeper than 64 levels")
        }
    }

    /// One variant of each of a few kinds through the built `clsa export` and `clsa embed`.
    func testTheExecutableRefusesWithOneLine() throws {
        let folder = try PretrainingFixtures.temporaryFolder(for: self)
        let corpus = try corpus()
        let kinds: [CheckpointDamage] = [.headerLengthHuge, .headerDeeplyNested, .shapeHuge, .offsetsNegative,
                                         .networkMismatch, .flipDataBits]
        let variants = try corpus.write(count: CheckpointDamage.allCases.count, to: folder + "/corpus")
            .filter { kinds.contains($0.variant.damage) }
        let paths = FuzzedCommand.Paths(data: CheckpointFixture.data(root: root), labelledData: folder + "/labelled",
                                        output: folder + "/output")
        let clsa = try ClsaExecutable.path()
        for (variant, path) in variants {
            for command in [FuzzedCommand.export, .embed] {
                let (arguments, seen) = try command.prepare(checkpoint: path, intact: CheckpointFixture.path(root: root), paths: paths)
                let verdict = RefusalVerdict(try ChildProcess.run(clsa, arguments, timeout: 120), checkpoint: seen)
                XCTAssertEqual(verdict, .refused, "\(command.rawValue) on \(variant.name) (\(variant.detail))")
            }
        }
    }
}
