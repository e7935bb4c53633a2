import Foundation
import XCTest
@testable import CLSA

/// A run folder written by an earlier clsa (`Tests/CLSATests/Fixtures/legacy-run`, made by
/// `Scripts/fixtures/make_legacy_run.sh`; `VERSION` names the commit): today's code must read its
/// `config.json` and continue its epoch-1 checkpoint to the losses the old code recorded, so that
/// changes to the configuration's fields or spellings never strand a user's runs. "To the losses"
/// within float rounding, not bit for bit: a faster kernel may sum in another order (dX of a
/// stride-1 convolution as a transposed convolution moved the fifth step's loss by one ulp).
/// Resuming with the same code is bit for bit; `PretrainingRunTests` checks that.
final class LegacyRunTests: XCTestCase {
    private let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/legacy-run").path

    /// The flags the fixture's run was made with (the script's).
    private func arguments(out: String) -> [String] {
        ["pretrain", "--data", fixture + "/data", "--arch", "resnet18-small", "--base-width", "4", "--image-size", "16",
         "--strong-sizes", "8", "--batch-size", "8", "--queue-size", "32", "--dim", "16", "--hidden", "16", "--epochs", "2",
         "--alpha", "0.9", "--lr", "0.05", "--seed", "7", "--threads", "1", "--workers", "1", "--out", out]
    }

    func testConfigJSONStillDecodes() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: fixture + "/config.json"))
        let record = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        let configurationJSON = try JSONSerialization.data(withJSONObject: try XCTUnwrap(record["configuration"]))
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let configuration = try decoder.decode(PretrainingConfiguration.self, from: configurationJSON)
        XCTAssertEqual(configuration.baseWidth, 4)
        XCTAssertEqual(configuration.strongSizes, [8])
        XCTAssertEqual(configuration.batchSize, 8)
        XCTAssertEqual(configuration.effectiveKeyShuffleGroups, 8)
        XCTAssertEqual(configuration.seed, 7)
    }

    /// Under OpenBLAS's Haswell kernel, as the fixture was made (the Cooperlake kernel sums
    /// sgemm's products in another order). A resume that lost state — momentum buffers, the
    /// queue, the key encoder, the sampler position — moves the losses by far more than 1e-4.
    func testCheckpointResumesToTheRecordedLosses() throws {
        let flags = try String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)
            .split(separator: "\n").first { $0.hasPrefix("flags") }.map { Set($0.split(separator: " ")) } ?? []
        try XCTSkipUnless(flags.contains("avx2") && flags.contains("fma"), "OpenBLAS's Haswell kernel needs AVX2 and FMA")
        let folder = try PretrainingFixtures.temporaryFolder(for: self)
        let checkpoint = try TrainingCheckpoint(path: fixture + "/step-00000003.safetensors")
        XCTAssertEqual(checkpoint.position.step, 3)
        XCTAssertEqual(checkpoint.configuration.baseWidth, 4)

        let resumed = try ClsaExecutable.run(arguments(out: folder + "/run")
                                             + ["--resume", fixture + "/step-00000003.safetensors"],
                                             environment: ["OPENBLAS_CORETYPE": "Haswell"])
        XCTAssertEqual(resumed.status, 0, resumed.standardError)
        XCTAssertTrue(resumed.standardOutput.contains("done: 6/6 steps"), resumed.standardOutput)
        let original = try PretrainingFixtures.stepLosses(inMetrics: fixture + "/metrics.jsonl")
        let continued = try PretrainingFixtures.stepLosses(inMetrics: folder + "/run/metrics.jsonl")
        XCTAssertEqual(original.count, 6)
        for step in 4...6 {
            let (now, then) = (try XCTUnwrap(continued[step]), try XCTUnwrap(original[step]))
            for (a, b) in zip(now, then) {
                let (x, y) = (Float(bitPattern: a), Float(bitPattern: b))
                XCTAssertLessThanOrEqual(abs(x - y), 1e-4 * max(1, abs(y)), "step \(step): \(x) against \(y)")
            }
        }
    }
}
