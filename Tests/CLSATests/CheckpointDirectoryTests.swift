import Foundation
import TensorCore
import XCTest
@testable import CLSA

final class CheckpointDirectoryTests: XCTestCase {
    private var runFolder: String!
    private var trainer: CLSATrainer!

    override func setUpWithError() throws {
        runFolder = try PretrainingFixtures.temporaryFolder(for: self)
        trainer = try CLSATrainer(configuration: PretrainingFixtures.tinyConfiguration(), stepsPerEpoch: 4)
    }

    /// Steps the trainer to `step` and saves it there.
    @discardableResult
    private func save(atStep step: Int, keep: Int) throws -> String {
        let configuration = trainer.configuration
        while trainer.completedSteps < step {
            _ = try trainer.step(views: PretrainingFixtures.views(for: configuration, seed: UInt64(trainer.completedSteps)))
        }
        return try CheckpointDirectory(runDirectory: runFolder)
            .save(trainer, position: RunPosition(epoch: step / 4, step: step, epochPosition: step % 4 * 8), keep: keep)
    }

    func testFileNamesAreZeroPaddedSteps() {
        XCTAssertEqual(CheckpointDirectory.fileName(forStep: 123), "step-00000123.safetensors")
        XCTAssertEqual(CheckpointDirectory(runDirectory: "runs/a").file(forStep: 7), "runs/a/checkpoints/step-00000007.safetensors")
    }

    func testKeepsTheNewestN() throws {
        let folder = CheckpointDirectory(runDirectory: runFolder)
        for step in 1...4 { try save(atStep: step, keep: 2) }
        XCTAssertEqual(folder.files().map(\.step), [3, 4])
        try save(atStep: 5, keep: 3)
        XCTAssertEqual(folder.files().map(\.step), [3, 4, 5])
    }

    /// `auto` takes the newest checkpoint that validates, warning about each damaged one.
    func testNewestValidSkipsDamagedFiles() throws {
        let folder = CheckpointDirectory(runDirectory: runFolder)
        for step in 1...3 { try save(atStep: step, keep: 3) }
        let newest = folder.file(forStep: 3)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: newest))
        try bytes.prefix(1000).write(to: URL(fileURLWithPath: newest))
        var warnings: [String] = []
        let found = folder.newestValid { warnings.append($0) }
        XCTAssertEqual(found?.position.step, 2)
        XCTAssertEqual(warnings.count, 1)
        XCTAssertTrue(warnings[0].contains(newest) && warnings[0].contains("truncated"), "\(warnings)")
    }

    func testNoCheckpointsGivesNil() {
        let folder = CheckpointDirectory(runDirectory: runFolder + "/nothing-here")
        XCTAssertTrue(folder.files().isEmpty)
        XCTAssertNil(folder.newestValid { XCTFail("unexpected warning \($0)") })
    }

    /// A failed save throws naming the file and keeps the checkpoints already there. The
    /// failure is forced (even for root) by a folder standing where the temporary file goes.
    func testFailedSaveLeavesTheLastCheckpoint() throws {
        let folder = CheckpointDirectory(runDirectory: runFolder)
        let first = try save(atStep: 1, keep: 1)
        let saved = try Data(contentsOf: URL(fileURLWithPath: first))
        let blocker = folder.path + "/.\(CheckpointDirectory.fileName(forStep: 2)).tmp-\(getpid())"
        try FileManager.default.createDirectory(atPath: blocker, withIntermediateDirectories: false)
        XCTAssertThrowsError(try save(atStep: 2, keep: 1)) { error in
            XCTAssertTrue(error is CheckpointError && "\(error)".contains(folder.file(forStep: 2)), "\(error)")
        }
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: first)), saved)
        XCTAssertEqual(folder.files().map(\.step), [1])
    }
}
