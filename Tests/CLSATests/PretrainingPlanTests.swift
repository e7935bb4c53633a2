import Foundation
import XCTest
@testable import CLSA

/// `PretrainingPlan`: a preset plus overrides → the run, by the rules its documentation states.
final class PretrainingPlanTests: XCTestCase {
    func testOverridesReplaceThePresetsValues() throws {
        var overrides = PretrainingOverrides()
        overrides.epochs = 3
        overrides.keyShuffleGroups = 4
        let plan = try PretrainingPlan(preset: "fashion-mnist-quick", overrides: overrides)
        var expected = try XCTUnwrap(PretrainingPreset.named("fashion-mnist-quick")).configuration
        expected.epochs = 3
        expected.keyShuffleGroups = 4
        XCTAssertEqual(plan.configuration, expected)
        XCTAssertEqual(plan.settings.data, "fashion-mnist")
        XCTAssertEqual(plan.settings.subset, 48_000)
        XCTAssertEqual(plan.settings.runDirectory, "runs/fashion-mnist-quick")
        XCTAssertEqual(plan.settings.workers, PretrainingPlan.defaultWorkers)
        XCTAssertEqual(plan.settings.keep, 2)
        XCTAssertEqual(plan.settings.validationData, "fashion-mnist:test")
        XCTAssertEqual(plan.settings.finalProbe, .knn)
        overrides.finalProbe = .off
        XCTAssertEqual(try PretrainingPlan(preset: "fashion-mnist-quick", overrides: overrides).settings.finalProbe, .off)
        overrides.finalProbe = nil
        overrides.data = "my-images"
        let otherData = try PretrainingPlan(preset: "fashion-mnist-quick", overrides: overrides).settings
        XCTAssertNil(otherData.subset, "the preset's subset belongs to its own data")
        XCTAssertNil(otherData.validationData, "so do its validation data")
        XCTAssertNil(otherData.finalProbe, "and its final probe")
    }

    /// A new image size scales the preset's strong sizes in proportion unless they are given.
    func testImageSizeScalesTheStrongSizes() throws {
        var overrides = PretrainingOverrides()
        overrides.data = "somewhere"
        overrides.imageSize = 32
        XCTAssertEqual(try PretrainingPlan(preset: "paper-multi", overrides: overrides).configuration.strongSizes,
                       [32, 27, 23, 18, 14])
        overrides.strongSizes = [16]
        XCTAssertEqual(try PretrainingPlan(preset: "paper-multi", overrides: overrides).configuration.strongSizes, [16])
    }

    /// The run folder of a resumed checkpoint is its run's; an explicit one wins.
    func testResumingAPathUsesItsRunFolder() throws {
        let folder = try PretrainingFixtures.temporaryFolder(for: self)
        let checkpoints = folder + "/run/" + CheckpointDirectory.folderName
        try FileManager.default.createDirectory(atPath: checkpoints, withIntermediateDirectories: true)
        let file = checkpoints + "/" + CheckpointDirectory.fileName(forStep: 3)
        try Data().write(to: URL(fileURLWithPath: file))
        var overrides = PretrainingOverrides()
        overrides.data = "somewhere"
        overrides.resume = .path(file)
        XCTAssertEqual(try PretrainingPlan(overrides: overrides).settings.runDirectory, folder + "/run")
        overrides.resume = .path(folder + "/run")
        XCTAssertEqual(try PretrainingPlan(overrides: overrides).settings.runDirectory, folder + "/run")
        overrides.runDirectory = folder + "/elsewhere"
        XCTAssertEqual(try PretrainingPlan(overrides: overrides).settings.runDirectory, folder + "/elsewhere")
        overrides.resume = .path(folder + "/missing")
        XCTAssertThrowsError(try PretrainingPlan(overrides: overrides)) {
            XCTAssertTrue("\($0)".hasPrefix("`resume` '\(folder)/missing' does not exist"), "\($0)")
        }
    }

    func testErrorsNameTheField() {
        XCTAssertThrowsError(try PretrainingPlan(overrides: PretrainingOverrides())) {
            XCTAssertTrue("\($0)".hasPrefix("`data` is required"), "\($0)")
        }
        XCTAssertThrowsError(try PretrainingPlan(preset: "nonsense", overrides: PretrainingOverrides())) {
            XCTAssertTrue("\($0)".hasPrefix("unknown `preset` 'nonsense'"), "\($0)")
        }
        var overrides = PretrainingOverrides()
        overrides.data = "somewhere"
        overrides.batchSize = 1
        XCTAssertThrowsError(try PretrainingPlan(overrides: overrides)) {
            XCTAssertEqual("\($0)", "`batchSize` must be at least 2, got 1")
        }
    }
}
