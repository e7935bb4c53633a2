import Augment
import DecoderFuzzing
import Foundation
import XCTest
@testable import CLSA

/// `clsa embed` over a folder where every damaged file (161 seeded variants of the codec
/// fixtures: each fixture with each kind of damage) is followed by an intact copy of its source:
/// with 0 to 3 workers, no crash, every intact file's feature row is bit-identical to
/// embedding the intact files alone, and every file that does not decode is named in a warning.
/// Batches hold one image: OpenBLAS rounds a GEMM's output column differently depending on the
/// product's width, so rows are bit-identical only between equal batches.
final class BrokenImageEmbeddingTests: XCTestCase {
    private var scratch: String!

    override func setUpWithError() throws {
        scratch = try EvaluationFixtures.temporaryFolder("broken-embedding")
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: scratch) }

    func testEmbedKeepsEveryGoodImageAndNamesEverySkip() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
        let corpus = FuzzCorpus(sources: try FuzzCorpus.repositorySources(root: root, fixturesOnly: true), seed: 1)
        let folders = try corpus.write(count: corpus.sources.count * Damage.allCases.count, to: scratch)
        let checkpoint = scratch + "/backbone.safetensors"
        try EvaluationFixtures.writeCheckpoint(EvaluationFixtures.tinyBackbone(), to: checkpoint)
        let reader = ImageFileReader()
        let rejected = try FileManager.default.contentsOfDirectory(atPath: folders.mixed).filter {
            (try? reader.read(folders.mixed + "/" + $0)) == nil
        }
        XCTAssertGreaterThan(rejected.count, 50)

        let reference = scratch + "/good.safetensors"
        let good = try ClsaExecutable.run(["embed", "--checkpoint", checkpoint, "--data", folders.good, "--out", reference,
                                           "--batch-size", "1", "--workers", "2"])
        XCTAssertEqual(good.status, 0, good.standardError)
        for workers in [0, 1, 2, 3] {
            let output = scratch + "/mixed-\(workers).safetensors"
            let mixed = try ClsaExecutable.run(["embed", "--checkpoint", checkpoint, "--data", folders.mixed, "--out", output,
                                                "--batch-size", "1", "--workers", String(workers)])
            XCTAssertFalse(mixed.killedBySignal, mixed.standardError)
            XCTAssertEqual(mixed.status, 0, mixed.standardError)
            XCTAssertTrue(mixed.standardOutput.contains("\(rejected.count) images skipped"), mixed.standardOutput)
            let comparison = try EmbeddingComparison(reference: reference, candidate: output)
            XCTAssertEqual(comparison.missing, [], "\(workers) workers")
            XCTAssertEqual(comparison.differing, [], "\(workers) workers")
            let named = mixed.standardError.split(separator: "\n").filter { $0.hasPrefix("warning: cannot decode '") }
                .map { line in String(line.split(separator: "'")[1].split(separator: "/").last!) }
            XCTAssertEqual(named.sorted(), rejected.sorted(), "\(workers) workers")
        }
    }
}
