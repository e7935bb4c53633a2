import XCTest
@testable import CLSA

final class PretrainingTimelineTests: XCTestCase {
    private func step(_ number: Int, epoch: Int, imagesPerSecond: Double) -> MetricsRecord {
        .step(MetricsRecord.Step(StepMetrics(step: number, loss: 1, lossContrastive: 1, lossDivergence: 0, learningRate: 0.1),
                                 epoch: epoch, imagesPerSecond: imagesPerSecond))
    }

    private func epochEnd(_ epoch: Int, step: Int, knn: Double?) -> MetricsRecord {
        .epoch(EpochSummary(epoch: epoch, step: step, meanLoss: 1, meanContrastive: 1, meanDivergence: 0,
                            imagesPerSecond: 1, seconds: 999, skippedSamples: 0, knnAccuracy: knn))
    }

    /// Step seconds are batch / rate, summed in step order (records out of order, as a resumed
    /// log never has them, still count once each); epoch ends take the sum at their step, not
    /// the epoch summary's own wall time.
    func testSumsStepTimesUpToEachEpochEnd() {
        let records = [step(1, epoch: 0, imagesPerSecond: 32), step(2, epoch: 0, imagesPerSecond: 16),
                       epochEnd(0, step: 2, knn: 61.5),
                       step(4, epoch: 1, imagesPerSecond: 64), step(3, epoch: 1, imagesPerSecond: 8),
                       epochEnd(1, step: 4, knn: nil)]
        let timeline = PretrainingTimeline(records: records, batchSize: 64)
        XCTAssertEqual(timeline.steps, 4)
        XCTAssertEqual(timeline.trainingSeconds, 2 + 4 + 8 + 1)
        XCTAssertEqual(timeline.epochs, [.init(epoch: 1, step: 2, seconds: 6, knnAccuracy: 61.5),
                                         .init(epoch: 2, step: 4, seconds: 15, knnAccuracy: nil)])
        XCTAssertEqual(timeline.epochs[1].minutes, 0.25)
    }

    /// A folder without `config.json` is named in the error.
    func testRunDirectoryWithoutConfigIsNamed() {
        XCTAssertThrowsError(try PretrainingTimeline(runDirectory: "/nonexistent/run")) { error in
            XCTAssertTrue("\(error)".contains("'/nonexistent/run/config.json' is missing"), "\(error)")
        }
    }
}
