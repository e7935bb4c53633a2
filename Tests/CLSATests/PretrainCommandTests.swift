import Foundation
import XCTest
@testable import CLSA

/// The built `clsa` executable (a product of `swift build --build-tests`): `clsa pretrain`
/// killed with SIGKILL and resumed, `clsa export`, and the command line's errors.
final class PretrainCommandTests: XCTestCase {
    private var folder: String!
    private var data: String!

    override func setUpWithError() throws {
        folder = try PretrainingFixtures.temporaryFolder(for: self)
        data = folder + "/images"
        try PretrainingFixtures.imageFolder(at: data, count: 64)
    }

    private func clsa(_ arguments: [String]) throws -> ClsaExecutable.Outcome {
        try ClsaExecutable.run(arguments)
    }

    /// Tiny settings: 64 images, batch 8 → 8 steps per epoch, 16 in all by default.
    private func pretrainArguments(out: String, workers: Int, batchSize: Int = 8, queueSize: Int = 32,
                                   epochs: Int = 2, data: String? = nil) -> [String] {
        ["pretrain", "--data", data ?? self.data, "--arch", "resnet18-small", "--base-width", "4", "--image-size", "16",
         "--strong-sizes", "8", "--batch-size", String(batchSize), "--queue-size", String(queueSize), "--dim", "16", "--hidden", "16",
         "--alpha", "0.9", "--epochs", String(epochs), "--save-every", "3", "--threads", "2", "--workers", String(workers),
         "--seed", "3", "--out", out]
    }

    /// Ctrl-C (SIGINT) mid-run saves a checkpoint at the step reached, says how to go on and
    /// exits with status 0; `--resume auto` then finishes the run.
    func testInterruptedRunSavesAndResumes() throws {
        let out = folder + "/interrupted"
        let arguments = pretrainArguments(out: out, workers: 1, epochs: 20)
        let metrics = out + "/metrics.jsonl"
        let interrupted = try ClsaExecutable.run(arguments) { process in
            while process.isRunning, ((try? PretrainingFixtures.stepLosses(inMetrics: metrics))?.count ?? 0) < 4 {
                usleep(2_000)
            }
            if process.isRunning { process.interrupt() }
        }
        XCTAssertEqual(interrupted.status, 0, interrupted.standardError)
        XCTAssertFalse(interrupted.killedBySignal)
        XCTAssertTrue(interrupted.standardError.contains("clsa: interrupted"), interrupted.standardError)
        XCTAssertTrue(interrupted.standardOutput.contains("continue with --resume auto"), interrupted.standardOutput)
        let completed = try PretrainingFixtures.stepLosses(inMetrics: metrics).count
        XCTAssertLessThan(completed, 160)
        XCTAssertEqual(CheckpointDirectory(runDirectory: out).files().last?.step, completed)

        let resumed = try clsa(arguments + ["--resume", "auto"])
        XCTAssertEqual(resumed.status, 0, resumed.standardError)
        XCTAssertTrue(resumed.standardOutput.contains("done: 160/160 steps"), resumed.standardOutput)
    }

    /// Killed with SIGKILL after step 5 (two steps past its last checkpoint) and resumed with
    /// `--resume auto` and another worker count, the run's per-step losses are bitwise those
    /// of an uninterrupted run.
    func testKilledRunResumesBitwise() throws {
        let whole = try clsa(pretrainArguments(out: folder + "/whole", workers: 1))
        XCTAssertEqual(whole.status, 0, whole.standardError)
        XCTAssertTrue(whole.standardOutput.contains("blas_core: "), whole.standardOutput)
        XCTAssertTrue(whole.standardOutput.contains("done: 16/16 steps"), whole.standardOutput)

        let split = folder + "/split"
        let killed = try ClsaExecutable.run(pretrainArguments(out: split, workers: 3),
                                            environment: ["CLSA_TEST_KILL_AFTER_STEP": "5"])
        XCTAssertTrue(killed.killedBySignal, "status \(killed.status): \(killed.standardError)")
        XCTAssertEqual(killed.status, SIGKILL)
        XCTAssertEqual(CheckpointDirectory(runDirectory: split).files().map(\.step), [3])
        XCTAssertEqual(try PretrainingFixtures.stepLosses(inMetrics: split + "/metrics.jsonl").count, 5)

        let resumed = try clsa(pretrainArguments(out: split, workers: 2) + ["--resume", "auto"])
        XCTAssertEqual(resumed.status, 0, resumed.standardError)
        XCTAssertTrue(resumed.standardOutput.contains("resuming"), resumed.standardOutput)

        let expected = try PretrainingFixtures.stepLosses(inMetrics: folder + "/whole/metrics.jsonl")
        XCTAssertEqual(expected.count, 16)
        XCTAssertEqual(try PretrainingFixtures.stepLosses(inMetrics: split + "/metrics.jsonl"), expected)

        let backbone = folder + "/backbone.safetensors"
        let export = try clsa(["export", "--checkpoint", CheckpointDirectory(runDirectory: split).file(forStep: 16),
                               "--out", backbone])
        XCTAssertEqual(export.status, 0, export.standardError)
        let reader = try SafeTensorsReader(path: backbone)
        XCTAssertEqual(reader.metadata["kind"], "backbone")
        XCTAssertFalse(reader.names.contains { $0.hasPrefix("head.") || $0.hasPrefix("key.") || $0.hasPrefix("fc.") })

        let mismatch = try clsa(pretrainArguments(out: split, workers: 1, queueSize: 64) + ["--resume", "auto"])
        XCTAssertEqual(mismatch.status, 1)
        XCTAssertTrue(mismatch.standardError.hasPrefix("clsa: cannot resume"), mismatch.standardError)
        XCTAssertTrue(mismatch.standardError.contains("queue size: checkpoint has 32, this run has 64"), mismatch.standardError)
    }

    /// `clsa export --untrained-preset` writes the initialisation a run of that preset starts
    /// from — `--seed 0` is the preset's own — and another one for every other seed.
    func testUntrainedExportFollowsTheSeed() throws {
        func stem(_ seed: [String]) throws -> [Float] {
            let path = folder + "/untrained\(seed.joined()).safetensors"
            let outcome = try clsa(["export", "--untrained-preset", "fashion-mnist-quick", "--out", path] + seed)
            XCTAssertEqual(outcome.status, 0, outcome.standardError)
            return try SafeTensorsReader(path: path).tensor("conv1.weight").scalars
        }
        let preset = try stem([])
        XCTAssertEqual(try stem(["--seed", "0"]), preset)
        let other = try stem(["--seed", "1"])
        XCTAssertEqual(other.count, preset.count)
        XCTAssertNotEqual(other, preset)
    }

    /// A batch of 4 (not divisible into the key encoder's former fixed 8 groups) runs with the
    /// default rule's 4 groups, loading on the calling thread; config.json records the number,
    /// and resuming with another `--key-groups` is refused naming the field.
    func testSmallBatchRunsWithDefaultKeyGroups() throws {
        let out = folder + "/small"
        let arguments = pretrainArguments(out: out, workers: 0, batchSize: 4, queueSize: 16, epochs: 1)
        let run = try clsa(arguments)
        XCTAssertEqual(run.status, 0, run.standardError)
        XCTAssertTrue(run.standardOutput.contains("key groups 4"), run.standardOutput)
        XCTAssertTrue(run.standardOutput.contains("workers: 0"), run.standardOutput)
        XCTAssertTrue(run.standardOutput.contains("done: 16/16 steps"), run.standardOutput)
        let config = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/config.json")))
        XCTAssertEqual(((config as? [String: Any])?["configuration"] as? [String: Any])?["key_shuffle_groups"] as? Int, 4)

        let mismatch = try clsa(arguments + ["--key-groups", "2", "--resume", "auto"])
        XCTAssertEqual(mismatch.status, 1)
        XCTAssertTrue(mismatch.standardError.contains("key groups: checkpoint has 4, this run has 2"), mismatch.standardError)

        let help = try clsa(["pretrain", "--help"])
        XCTAssertEqual(help.status, 0, help.standardError)
        XCTAssertTrue(help.standardOutput.contains("--key-groups <key-groups>"), help.standardOutput)
    }

    /// Each objective of the paper's ablations runs end to end from the command line, with the
    /// released code's pool, continuous magnitudes, τ_D, a warm-up epoch and query groups, and
    /// records what it ran in `config.json`.
    func testEveryObjectiveRunsFromTheCommandLine() throws {
        for objective in ["clsa", "strong-query", "strong-contrastive"] {
            let out = folder + "/" + objective
            let run = try clsa(pretrainArguments(out: out, workers: 1, epochs: 2)
                               + ["--objective", objective, "--strong-pool", "released", "--strong-magnitudes", "continuous",
                                  "--tau-d", "0.1", "--warmup-epochs", "1", "--query-groups", "2"])
            XCTAssertEqual(run.status, 0, "\(objective): \(run.standardError)")
            XCTAssertTrue(run.standardOutput.contains("done: 16/16 steps"), run.standardOutput)
            let record = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/config.json")))
            let configuration = try XCTUnwrap((record as? [String: Any])?["configuration"] as? [String: Any])
            XCTAssertEqual(configuration["objective"] as? String, objective)
            XCTAssertEqual(configuration["strong_pool"] as? String, "released")
            XCTAssertEqual(configuration["strong_magnitudes"] as? String, "continuous")
            XCTAssertEqual(configuration["divergence_temperature"] as? Double, 0.1)
            XCTAssertEqual(configuration["warmup_epochs"] as? Int, 1)
            XCTAssertEqual(configuration["query_groups"] as? Int, 2)
            let losses = try PretrainingFixtures.stepLosses(inMetrics: out + "/metrics.jsonl")
            XCTAssertEqual(losses.count, 16)
            XCTAssertTrue(losses.values.allSatisfy { $0.allSatisfy { Float(bitPattern: $0).isFinite } }, "\(losses)")
        }
    }

    /// An undecodable file is skipped in each epoch: each epoch's line says so, and the final
    /// line gives the total.
    func testFinalLineTotalsTheSkippedFiles() throws {
        let images = folder + "/with-broken"
        try PretrainingFixtures.imageFolder(at: images, count: 64, undecodable: 1)
        let run = try clsa(pretrainArguments(out: folder + "/skipping", workers: 2, data: images))
        XCTAssertEqual(run.status, 0, run.standardError)
        let lines = run.standardOutput.split(separator: "\n")
        let epochLines = lines.filter { $0.hasPrefix("epoch ") && $0.contains(" done: ") }
        XCTAssertEqual(epochLines.count, 2, run.standardOutput)
        XCTAssertTrue(epochLines.allSatisfy { $0.hasSuffix(", 1 image skipped") }, run.standardOutput)
        let done = try XCTUnwrap(lines.last { $0.hasPrefix("done: ") }, run.standardOutput)
        XCTAssertTrue(done.hasPrefix("done: 16/16 steps, 2 epochs in ") && done.hasSuffix(", 2 images skipped"), String(done))
        XCTAssertEqual(run.standardError.split(separator: "\n").filter { $0.contains("broken-0.png") }.count, 2,
                       run.standardError)
    }

    /// Usage errors exit with status 2 and one line `clsa: …` naming the flag or path.
    func testCommandLineErrors() throws {
        let empty = folder + "/empty"
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        let cases: [(arguments: [String], message: String)] = [
            (pretrainArguments(out: folder + "/x", workers: 1, batchSize: 0), "--batch-size must be at least 2"),
            (["pretrain", "--data", data, "--no-such-flag"], "--no-such-flag"),
            (["pretrain", "--data", folder + "/missing"], "does not exist"),
            (["pretrain", "--data", empty], "contains no .jpg, .jpeg or .png files"),
            (["pretrain", "--preset", "nonsense"], "unknown --preset 'nonsense'"),
            (["pretrain"], "--data is required"),
            (["pretrain", "--data", data, "--arch", "vgg"], "'vgg' is invalid for '--arch <arch>'"),
            (["pretrain", "--data", data, "--objective", "other"], "'other' is invalid for '--objective <objective>'"),
            (["pretrain", "--data", data, "--strong-pool", "mine"], "'mine' is invalid for '--strong-pool <strong-pool>'"),
            (["pretrain", "--data", data, "--base-width", "0"], "--base-width must be positive, got 0"),
            (["pretrain", "--data", data, "--image-size", "4"], "--image-size must be at least 8, got 4"),
            (["pretrain", "--data", data, "--strong-sizes", "300"], "--strong-sizes must be between 4 and --image-size 224"),
            (["pretrain", "--data", data, "--weak-sizes", "4"], "--weak-sizes must be sizes of at least 8 pixels"),
            (["pretrain", "--data", data, "--epochs", "0"], "--epochs must be at least 1, got 0"),
            (["pretrain", "--data", data, "--lr=-1"], "--lr must be positive, got -1.0"),
            (["pretrain", "--data", data, "--warmup-epochs", "200"], "--warmup-epochs must lie in 0..<--epochs (200), got 200"),
            (["pretrain", "--data", data, "--momentum", "2"], "--momentum must lie in [0, 1], got 2.0"),
            (["pretrain", "--data", data, "--weight-decay=-1"], "--weight-decay must be non-negative, got -1.0"),
            (["pretrain", "--data", data, "--tau", "0"], "--tau must be positive, got 0.0"),
            (["pretrain", "--data", data, "--tau-d", "0"], "--tau-d must be positive, got 0.0"),
            (["pretrain", "--data", data, "--alpha", "2"], "--alpha must lie in [0, 1], got 2.0"),
            (["pretrain", "--data", data, "--beta=-1"], "--beta must be non-negative, got -1.0"),
            (["pretrain", "--data", data, "--dim", "0"], "--dim and --hidden must be positive, got 0 and nil"),
            (["pretrain", "--data", data, "--query-groups", "3"], "--batch-size 256 must be divisible by --query-groups 3"),
            (["pretrain", "--data", data, "--subset", "0"], "--subset must be at least 1, got 0"),
            (["pretrain", "--data", data, "--threads", "0"], "--threads must be at least 1, got 0"),
            (["pretrain", "--data", data, "--save-every", "0"], "--save-every must be at least 1, got 0"),
            (["pretrain", "--data", data, "--keep", "0"], "--keep must be at least 1, got 0"),
            (["pretrain", "--data", data, "--strong-sizes", "96,x"], "--strong-sizes"),
            (["pretrain", "--data", data, "--queue-size", "1000"], "--queue-size 1000 must be a positive multiple of --batch-size 256"),
            (["pretrain", "--data", data, "--key-groups", "3"], "--key-groups must be a divisor of --batch-size 256, got 3"),
            (["pretrain", "--data", data, "--workers=-1"], "--workers must be at least 0 (0: load on the calling thread), got -1"),
            (["export", "--checkpoint", folder + "/none.safetensors", "--out", folder + "/b.safetensors"], "is not a file"),
            (["export", "--checkpoint", folder + "/none.safetensors", "--seed", "1", "--out", folder + "/b.safetensors"],
             "--seed applies to --untrained-preset only"),
        ]
        let help = try clsa(["pretrain", "--help"]).standardOutput + (try clsa(["export", "--help"]).standardOutput)
        let flagPattern = try Regex("--[a-z][a-z-]*")
        for (arguments, message) in cases {
            let outcome = try clsa(arguments)
            XCTAssertFalse(outcome.standardError.contains("`"), "a field name reached the command line: \(outcome.standardError)")
            // Every flag the message names exists (the unknown one a user typed aside).
            for flag in outcome.standardError.matches(of: flagPattern).map({ String(outcome.standardError[$0.range]) })
            where !arguments.contains(flag) {
                XCTAssertTrue(help.contains(flag), "\(arguments): the error names \(flag), which --help does not list")
            }
            XCTAssertEqual(outcome.status, 2, "\(arguments): \(outcome.standardError)")
            XCTAssertTrue(outcome.standardError.hasPrefix("clsa: ") && outcome.standardError.contains(message),
                          "\(arguments): \(outcome.standardError)")
            XCTAssertEqual(outcome.standardError.split(separator: "\n").count, 1, outcome.standardError)
        }
    }

    /// A damaged checkpoint given to `clsa export` is a runtime error naming it.
    func testExportRefusesADamagedCheckpoint() throws {
        let path = folder + "/damaged.safetensors"
        try Data("not a checkpoint at all".utf8).write(to: URL(fileURLWithPath: path))
        let outcome = try clsa(["export", "--checkpoint", path, "--out", folder + "/b.safetensors"])
        XCTAssertEqual(outcome.status, 1)
        XCTAssertTrue(outcome.standardError.hasPrefix("clsa: checkpoint '\(path)'"), outcome.standardError)
    }
}
