import Foundation
import TensorCore
import XCTest
@testable import CLSA

/// The JSON Lines files of a run: values come back bit for bit, a cut-short line is skipped and
/// counted, kept lines keep their text.
final class JSONLinesTests: XCTestCase {
    func testFloatsComeBackBitForBit() throws {
        var random = SeededRandom(seed: 5)
        for _ in 0..<2000 {
            let loss = Float(bitPattern: UInt32(truncatingIfNeeded: random.next()) & 0x7EFF_FFFF)
            let metrics = StepMetrics(step: 3, loss: loss, lossContrastive: -loss, lossDivergence: loss / 3, learningRate: 0.06)
            let record = MetricsRecord.step(.init(metrics, epoch: 1, imagesPerSecond: 12.5))
            let read = JSONLines.read(MetricsRecord.self, from: try JSONLines.line(record))
            XCTAssertEqual(read.records.map(\.record), [record], "\(loss)")
        }
    }

    func testWriterKeepsLinesAndReaderSkipsACutShortOne() throws {
        let path = try PretrainingFixtures.temporaryFolder(for: self) + "/records.jsonl"
        let kept = #"{"type":"step","step":1,"epoch":0,"loss":2.5,"loss_c":2,"loss_d":0.5,"lr":0.1,"images_per_s":3}"#
        let writer = try JSONLinesWriter<MetricsRecord>(path: path, keepingLines: [kept])
        let second = MetricsRecord.step(.init(StepMetrics(step: 2, loss: 1, lossContrastive: 1, lossDivergence: 0, learningRate: 0.1),
                                              epoch: 0, imagesPerSecond: 4))
        try writer.append(second)
        let handle = try XCTUnwrap(FileHandle(forWritingAtPath: path))
        handle.seekToEndOfFile()
        handle.write(Data(#"{"type":"step","st"#.utf8))
        try handle.close()
        let read = try JSONLines.read(MetricsRecord.self, contentsOf: path)
        XCTAssertEqual(read.records.first?.line, kept)
        XCTAssertEqual(read.records.last?.record, second)
        XCTAssertEqual(read.records.count, 2)
        XCTAssertEqual(read.skippedLines, 1)
    }
}
