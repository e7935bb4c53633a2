import DecoderFuzzing
import Foundation
import TensorCore
import XCTest
@testable import Augment

/// The test suite's fuzz corpus: 322 seeded damaged variants of the codec fixtures (every
/// fixture, every kind of damage, twice), each followed by an intact copy of its source, decoded
/// one after the other and through the loader. `Scripts/fuzz-decoders` runs 5,000 variants.
final class BrokenImageCorpusTests: XCTestCase {
    private static let variantCount = 322
    private var scratch: String!
    private var corpus: FuzzCorpus!
    private var folders: FuzzCorpus.Folders!

    override func setUpWithError() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
        corpus = FuzzCorpus(sources: try FuzzCorpus.repositorySources(root: root, fixturesOnly: true), seed: 1)
        scratch = NSTemporaryDirectory() + "broken-corpus-\(UUID().uuidString)"
        folders = try corpus.write(count: Self.variantCount, to: scratch)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: scratch) }

    func testCorpusCoversEveryDamageOfEveryFixture() {
        XCTAssertEqual(corpus.sources.count, 23, "7 JPEG and 16 PNG codec fixtures")
        let pairs = Set((0..<Self.variantCount).map { corpus.variant($0) }.map { "\($0.source.name) \($0.damage)" })
        XCTAssertEqual(pairs.count, corpus.sources.count * Damage.allCases.count)
        XCTAssertTrue((0..<Self.variantCount).allSatisfy { corpus.variant($0).bytes != corpus.variant($0).source.bytes })
    }

    /// One reader over the mixed folder decodes every file as a new reader does; every intact
    /// file decodes; every damaged file the project decodes gives Pillow's pixels.
    func testDecodingInOrderLeavesNoStateAndAgreesWithPillow() throws {
        let decoding = try SequentialDecoding(folder: folders.mixed)
        XCTAssertEqual(decoding.outcomes.count, 2 * Self.variantCount)
        XCTAssertTrue(decoding.leaks.isEmpty, "\(decoding.leaks.prefix(3))")
        let outcomes = Dictionary(decoding.outcomes.map { ($0.name, $0.outcome) }, uniquingKeysWith: { a, _ in a })
        let pillow = try OutcomeTable(path: try CodecFixtures.path("fuzz-pillow-fixtures.tsv")).outcomes
        var decodedDamaged = 0
        for index in 0..<Self.variantCount {
            let variant = corpus.variant(index)
            XCTAssertEqual(outcomes[variant.goodName], DecodeOutcome(try ImageFileReader().decode(variant.source.bytes)),
                           variant.goodName)
            let outcome = try XCTUnwrap(outcomes[variant.damagedName])
            guard outcome.isDecoded else { continue }
            decodedDamaged += 1
            XCTAssertEqual(outcome, pillow[variant.damagedName], "\(variant.damagedName) (\(variant.detail)) decodes unlike Pillow")
        }
        // Both branches are exercised: some damage is harmless to both decoders, most is not.
        XCTAssertGreaterThan(decodedDamaged, 10)
        XCTAssertLessThan(decodedDamaged, Self.variantCount / 2)
    }

    /// With any worker count, the loader keeps every image that decodes and names every one it skips.
    func testLoaderKeepsEveryGoodImageAndNamesEverySkip() throws {
        let dataset = try ImageFolderDataset(root: folders.mixed)
        let reader = ImageFileReader()
        let decodes = (0..<dataset.count).map { (try? dataset.loadImage(at: $0, reader: reader)) != nil }
        var reference: (indices: [Int], views: [[Float]])?
        for workers in [0, 1, 2, 3] {
            let warnings = WarningLog()
            let loader = DataLoader(dataset: dataset, transform: EvaluationTransform(size: 16), batchSize: 16,
                                    shuffle: false, workerCount: workers, warningSink: warnings.sink)
            let epoch = loader.makeIterator(epoch: 0)
            var indices: [Int] = [], views: [[Float]] = []
            while let batch = try epoch.next() {
                indices += batch.indices
                views.append(batch.views[0].scalars)
            }
            XCTAssertEqual(indices, (0..<dataset.count).filter { decodes[$0] }, "\(workers) workers")
            let skipped = (0..<dataset.count).filter { !decodes[$0] }
            XCTAssertEqual(epoch.skippedCount, skipped.count)
            XCTAssertEqual(warnings.lines.count, skipped.count)
            for (line, index) in zip(warnings.lines, skipped) {
                XCTAssertTrue(line.hasPrefix("warning: cannot decode '\(dataset.name(at: index))'"), line)
            }
            if let reference {
                XCTAssertEqual(indices, reference.indices)
                XCTAssertTrue(views == reference.views, "\(workers) workers: batches differ from 1 worker's")
            } else {
                reference = (indices, views)
            }
        }
    }
}
