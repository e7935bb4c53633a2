import Foundation
import XCTest
@testable import CLSA
import TensorCore

/// The key encoder's shuffle-BN groups: the default rule, validation, old records, resumption.
final class PretrainingConfigurationTests: XCTestCase {
    private func configuration(batchSize: Int, keyGroups: Int? = nil) -> PretrainingConfiguration {
        var configuration = PretrainingConfiguration()
        configuration.batchSize = batchSize
        configuration.queueSize = batchSize * 16
        configuration.keyShuffleGroups = keyGroups
        return configuration
    }

    /// Without `keyShuffleGroups`, the largest divisor of the batch size that is at most 8: still
    /// 8 at the batch sizes the presets use.
    /// ResNet-50 runs wide GEMMs (OpenBLAS's kernel is chosen for them); the small presets not.
    func testBLASWorkloadFollowsTheBackbonesWidth() {
        XCTAssertEqual(PretrainingPreset.paperSingle.configuration.blasWorkload, .wide)
        XCTAssertEqual(PretrainingPreset.fashionMNIST.configuration.blasWorkload, .general)
        XCTAssertEqual(PretrainingPreset.fashionMNISTQuick.configuration.blasWorkload, .general)
        var narrow = PretrainingPreset.paperSingle.configuration
        narrow.baseWidth = 32
        XCTAssertEqual(narrow.blasWorkload, .general)
    }

    func testKeyGroupsDefaultToTheLargestDivisorOfTheBatchAtMostEight() throws {
        let expected = [2: 2, 4: 4, 6: 6, 7: 7, 8: 8, 9: 3, 10: 5, 12: 6, 14: 7, 22: 2, 64: 8, 96: 8, 100: 5, 256: 8]
        for (batchSize, groups) in expected {
            XCTAssertEqual(configuration(batchSize: batchSize).effectiveKeyShuffleGroups, groups, "batch \(batchSize)")
            XCTAssertNoThrow(try configuration(batchSize: batchSize).validate(), "batch \(batchSize)")
        }
        for preset in PretrainingPreset.all {
            XCTAssertEqual(preset.configuration.effectiveKeyShuffleGroups, 8, preset.name)
        }
        XCTAssertEqual(configuration(batchSize: 64, keyGroups: 2).effectiveKeyShuffleGroups, 2)
        XCTAssertEqual(configuration(batchSize: 12).resolvingKeyShuffleGroups().keyShuffleGroups, 6)
        XCTAssertEqual(configuration(batchSize: 12, keyGroups: 3).resolvingKeyShuffleGroups().keyShuffleGroups, 3)
    }

    /// On several ranks both group counts are multiples of the ranks: query groups 1 become
    /// one per rank, the default key groups the largest such divisor of the batch up to
    /// max(8, ranks); batches and groups the ranks cannot share are refused.
    func testGroupsResolveToMultiplesOfTheRanks() throws {
        let two = try configuration(batchSize: 64).resolving(ranks: 2)
        XCTAssertEqual([two.queryGroups, two.keyShuffleGroups], [2, 8])
        let three = try configuration(batchSize: 48).resolving(ranks: 3)
        XCTAssertEqual([three.queryGroups, three.keyShuffleGroups], [3, 6])
        let sixteen = try configuration(batchSize: 256).resolving(ranks: 16)
        XCTAssertEqual([sixteen.queryGroups, sixteen.keyShuffleGroups], [16, 16])
        var four = configuration(batchSize: 64, keyGroups: 4)
        four.queryGroups = 8
        XCTAssertEqual(try four.resolving(ranks: 4).queryGroups, 8)
        XCTAssertEqual(try configuration(batchSize: 12).resolving(ranks: 1), configuration(batchSize: 12).resolvingKeyShuffleGroups())

        XCTAssertThrowsError(try configuration(batchSize: 64).resolving(ranks: 3)) {
            XCTAssertTrue("\($0)".contains("must be divisible by the 3 processes"), "\($0)")
        }
        XCTAssertThrowsError(try configuration(batchSize: 64, keyGroups: 2).resolving(ranks: 4)) {
            XCTAssertTrue("\($0)".contains("`keyShuffleGroups` 2 must be a multiple of the 4 processes"), "\($0)")
        }
    }

    /// Given groups must be at least 1 and divide the batch; the message names the field.
    func testGivenKeyGroupsMustDivideTheBatch() throws {
        XCTAssertNoThrow(try configuration(batchSize: 12, keyGroups: 12).validate())
        XCTAssertNoThrow(try configuration(batchSize: 12, keyGroups: 1).validate())
        for groups in [0, -2, 5, 24] {
            XCTAssertThrowsError(try configuration(batchSize: 12, keyGroups: groups).validate(), "\(groups)") { error in
                XCTAssertEqual("\(error)", "`keyShuffleGroups` must be a divisor of `batchSize` 12, got \(groups)")
            }
        }
    }

    /// A view so small that the last stage's BatchNorm would see one value per channel in a
    /// group is refused by name (it used to stop the run on a precondition); one more image per
    /// group, or one more pixel of side, is accepted.
    func testViewsTooSmallForBatchNormAreRefused() throws {
        var tiny = PretrainingFixtures.tinyConfiguration()
        XCTAssertEqual(try tiny.backbone().finalFeatureMapSide(forInput: 8), 1)
        XCTAssertEqual(try tiny.backbone().finalFeatureMapSide(forInput: 9), 2)
        XCTAssertEqual(ResNetConfiguration.resnet50().finalFeatureMapSide(forInput: 224), 7)
        tiny.imageSize = 8
        tiny.keyShuffleGroups = 8
        XCTAssertThrowsError(try tiny.validate()) { error in
            XCTAssertTrue("\(error)".contains("with 8 px key views, resnet18-small's last stage is 1 px wide, so each of 8 BatchNorm groups"), "\(error)")
        }
        tiny.keyShuffleGroups = 4
        XCTAssertNoThrow(try tiny.validate())
        tiny.queryGroups = 8
        XCTAssertThrowsError(try tiny.validate()) { error in
            XCTAssertTrue("\(error)".contains("with 8 px query views, resnet18-small's last stage is 1 px wide, so each of 8 BatchNorm groups"), "\(error)")
        }
        tiny.imageSize = 9
        tiny.strongSizes = [9]
        XCTAssertNoThrow(try tiny.validate())
    }

    /// A configuration recorded when the field was a plain `Int` (`"keyShuffleGroups": 8`) still
    /// decodes; one without the field decodes to the default rule.
    func testRecordsWithAndWithoutKeyGroupsDecode() throws {
        let current = try JSONEncoder().encode(PretrainingConfiguration())
        var fields = try XCTUnwrap(try JSONSerialization.jsonObject(with: current) as? [String: Any])
        XCTAssertNil(fields["keyShuffleGroups"], "nil is left out")
        XCTAssertNil(try JSONDecoder().decode(PretrainingConfiguration.self, from: current).keyShuffleGroups)
        fields["keyShuffleGroups"] = 8
        let old = try JSONDecoder().decode(PretrainingConfiguration.self,
                                           from: try JSONSerialization.data(withJSONObject: fields))
        XCTAssertEqual(old.keyShuffleGroups, 8)
        XCTAssertEqual(old.effectiveKeyShuffleGroups, 8)
    }

    /// Resumption compares the groups actually used, whether given or chosen by the rule.
    func testResumeComparesTheEffectiveKeyGroups() {
        let saved = configuration(batchSize: 64, keyGroups: 8)
        XCTAssertEqual(configuration(batchSize: 64).resumeMismatches(with: saved), [])
        XCTAssertEqual(configuration(batchSize: 64, keyGroups: 4).resumeMismatches(with: saved),
                       ["key groups: checkpoint has 8, this run has 4"])
        XCTAssertEqual(configuration(batchSize: 12, keyGroups: 6).resumeMismatches(with: configuration(batchSize: 12)), [])
    }

    /// Every hyperparameter of the optimiser, the losses, the momentum encoder and the views
    /// must agree for a resume, each named in the refusal; a learning rate left to the
    /// batch-size rule resumes a run that gave the same rate.
    func testResumeComparesTheTrainingHyperparameters() {
        var saved = PretrainingConfiguration()
        saved.batchSize = 64
        var resumed = saved
        resumed.learningRate = 0.0075
        XCTAssertEqual(resumed.resumeMismatches(with: saved), [], "0.03 · 64 / 256 given explicitly")
        resumed.learningRate = 0.1
        resumed.warmupEpochs = 2
        resumed.momentum = 0.8
        resumed.weightDecay = 5e-4
        resumed.temperature = 0.1
        resumed.alpha = 0.99
        resumed.queryGroups = 2
        resumed.blur = .off
        resumed.strongPool = .released
        resumed.mean = [0.5, 0.5, 0.5]
        XCTAssertEqual(resumed.resumeMismatches(with: saved).map { $0.components(separatedBy: ":")[0] },
                       ["strong pool", "blur", "mean", "query groups", "learning rate", "warm-up epochs",
                        "momentum", "weight decay", "tau", "tau_D", "alpha"])
        XCTAssertTrue(resumed.resumeMismatches(with: saved).contains("momentum: checkpoint has 0.9, this run has 0.8"))
    }

    /// Resumption compares the head's hidden width actually used: a run recorded without one
    /// (the backbone's feature size) resumes with that width given, and not with another.
    func testResumeComparesTheEffectiveHiddenWidth() {
        var saved = PretrainingConfiguration()
        saved.architecture = .resnet18Small
        saved.baseWidth = 16
        var resumed = saved
        resumed.hidden = 128
        XCTAssertEqual(resumed.effectiveHidden, 128)
        XCTAssertEqual(resumed.resumeMismatches(with: saved), [])
        resumed.hidden = 512
        XCTAssertEqual(resumed.resumeMismatches(with: saved), ["hidden: checkpoint has 128, this run has 512"])
        XCTAssertEqual(PretrainingConfiguration().effectiveHidden, 2048)
    }
}
