import Augment
import Foundation
import XCTest
@testable import CLSA

/// `mpirun -np 2 clsa pretrain --distributed mpi` and `clsa pretrain --distributed threads
/// --threads 2` on tiny data, against the single-process run they must equal (`--query-groups
/// 2`, the same key groups) and each other. The MPI tests need Open MPI and a `clsa` built with
/// the MPI trait: skipped without them, failed under `Scripts/test` (`CLSA_REQUIRE_MPI=1`),
/// which installs and builds both.
final class DistributedPretrainingTests: XCTestCase {
    private var folder: String!
    private var data: String!
    /// 68 images at batch 8: 8 steps per epoch, and 4 images after the last full batch (2 per
    /// rank) that stand in for images that fail to load.
    private let imageCount = 68

    override func setUpWithError() throws {
        folder = try PretrainingFixtures.temporaryFolder(for: self)
        data = folder + "/images"
        try PretrainingFixtures.imageFolder(at: data, count: imageCount)
    }

    private static let mpirun = "/usr/bin/mpirun"

    /// Runs `mpirun -np 2 clsa arguments… --distributed mpi` (on at most 2 minutes), or with
    /// `rank1Arguments`, `mpirun -np 1 clsa arguments… : -np 1 clsa rank1Arguments…`; skips, or
    /// fails under `CLSA_REQUIRE_MPI=1`, when Open MPI or the MPI build is missing.
    private func mpirun(_ arguments: [String], rank1Arguments: [String]? = nil,
                        environment: [String: String] = [:]) throws -> ClsaExecutable.Outcome {
        let required = ProcessInfo.processInfo.environment["CLSA_REQUIRE_MPI"] == "1"
        guard FileManager.default.isExecutableFile(atPath: Self.mpirun) else {
            if required { XCTFail("no \(Self.mpirun): Scripts/install-deps --mpi installs Open MPI") }
            throw XCTSkip("Open MPI is not installed (Scripts/install-deps --mpi)")
        }
        let second = try rank1Arguments.map { [":", "-np", "1", try ClsaExecutable.path()] + $0 + ["--distributed", "mpi"] } ?? []
        let outcome = try ClsaExecutable.run(
            arguments + ["--distributed", "mpi"] + second,
            environment: environment.merging(["OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1",
                                              "OMPI_MCA_rmaps_base_oversubscribe": "1"]) { mine, _ in mine },
            launcher: ["/usr/bin/timeout", "120", Self.mpirun, "-np", rank1Arguments == nil ? "2" : "1"])
        if outcome.standardError.contains("built without MPI") {
            if required { XCTFail("clsa was built without MPI: " + outcome.standardError) }
            throw XCTSkip("clsa was built without the MPI trait (swift build --traits MPI)")
        }
        return outcome
    }

    /// Tiny settings: batch 8 (4 per rank), 8 key groups, 2 epochs of 8 steps.
    private func pretrainArguments(out: String, extra: [String] = []) -> [String] {
        ["pretrain", "--data", data, "--arch", "resnet18-small", "--base-width", "4", "--image-size", "16",
         "--strong-sizes", "8", "--batch-size", "8", "--queue-size", "32", "--dim", "16", "--hidden", "16",
         "--alpha", "0.9", "--epochs", "2", "--save-every", "3", "--threads", "1", "--workers", "1",
         "--seed", "3", "--out", out] + extra
    }

    private func losses(_ run: String) throws -> [Int: [Float]] {
        try PretrainingFixtures.stepLosses(inMetrics: run + "/metrics.jsonl").mapValues { $0.map(Float.init(bitPattern:)) }
    }

    private func assertClose(_ actual: [Int: [Float]], _ expected: [Int: [Float]], steps: ClosedRange<Int>,
                             file: StaticString = #filePath, line: UInt = #line) {
        for step in steps {
            guard let a = actual[step], let e = expected[step] else {
                return XCTFail("step \(step) missing", file: file, line: line)
            }
            for (x, y) in zip(a, e) {
                XCTAssertEqual(x, y, accuracy: 1e-4 * max(1, abs(y)), "step \(step)", file: file, line: line)
            }
        }
    }

    /// Two ranks take the steps of one process with `--query-groups 2`: the same losses at
    /// every step and the same final queue and parameters, within float tolerance (their
    /// sums are split differently), with the presets' in-batch negatives (each rank's queries
    /// against the keys of the global batch); `--check-replicas` finds the ranks' parameters,
    /// momentum buffers and queues bit for bit equal after every step.
    func testTwoRanksEqualTheSingleProcessReference() throws {
        let distributed = try mpirun(pretrainArguments(out: folder + "/mpi", extra: ["--check-replicas", "--in-batch-negatives"]))
        XCTAssertEqual(distributed.status, 0, distributed.standardError)
        XCTAssertTrue(distributed.standardOutput.contains("done: 16/16 steps"), distributed.standardOutput)
        let reference = try ClsaExecutable.run(pretrainArguments(out: folder + "/reference",
                                                                 extra: ["--query-groups", "2", "--in-batch-negatives"]))
        XCTAssertEqual(reference.status, 0, reference.standardError)
        assertClose(try losses(folder + "/mpi"), try losses(folder + "/reference"), steps: 1...16)

        try assertRunOfTwoProcesses(folder + "/mpi", closeTo: folder + "/reference")

        // Replicas on two threads compute what the two ranks compute, bit for bit.
        let threads = try ClsaExecutable.run(pretrainArguments(out: folder + "/threads", extra: threadReplicas + ["--in-batch-negatives"]))
        XCTAssertEqual(threads.status, 0, threads.standardError)
        XCTAssertEqual(try PretrainingFixtures.stepLosses(inMetrics: folder + "/threads/metrics.jsonl"),
                       try PretrainingFixtures.stepLosses(inMetrics: folder + "/mpi/metrics.jsonl"))
    }

    /// Two replicas on threads of one process (`--distributed threads --threads 2`).
    private let threadReplicas = ["--threads", "2", "--distributed", "threads"]

    /// Replicas on threads take the steps of one process with `--query-groups 2`, within float
    /// tolerance, their parameters, momentum buffers and queues bit for bit equal after every
    /// step (`--check-replicas`); killed with SIGKILL after step 5, the run resumes bit for bit.
    func testThreadReplicasEqualTheSingleProcessReferenceAndResume() throws {
        let threads = try ClsaExecutable.run(pretrainArguments(out: folder + "/threads", extra: threadReplicas + ["--check-replicas"]))
        XCTAssertEqual(threads.status, 0, threads.standardError)
        XCTAssertTrue(threads.standardOutput.contains("done: 16/16 steps"), threads.standardOutput)
        let reference = try ClsaExecutable.run(pretrainArguments(out: folder + "/reference", extra: ["--query-groups", "2"]))
        XCTAssertEqual(reference.status, 0, reference.standardError)
        assertClose(try losses(folder + "/threads"), try losses(folder + "/reference"), steps: 1...16)
        try assertRunOfTwoProcesses(folder + "/threads", closeTo: folder + "/reference")

        let killed = try ClsaExecutable.run(pretrainArguments(out: folder + "/killed", extra: threadReplicas),
                                            environment: ["CLSA_TEST_KILL_AFTER_STEP": "5"])
        XCTAssertNotEqual(killed.status, 0)
        XCTAssertEqual(CheckpointDirectory(runDirectory: folder + "/killed").files().map(\.step), [3])
        let resumed = try ClsaExecutable.run(pretrainArguments(out: folder + "/killed", extra: threadReplicas + ["--resume", "auto"]))
        XCTAssertEqual(resumed.status, 0, resumed.standardError)
        XCTAssertEqual(try PretrainingFixtures.stepLosses(inMetrics: folder + "/killed/metrics.jsonl"),
                       try PretrainingFixtures.stepLosses(inMetrics: folder + "/threads/metrics.jsonl"))
    }

    /// A batch that the replicas cannot share is a usage error before any replica starts.
    func testThreadReplicasThatCannotShareTheBatchAreAUsageError() throws {
        let outcome = try ClsaExecutable.run(pretrainArguments(out: folder + "/three", extra: ["--threads", "3", "--distributed", "threads"]))
        XCTAssertNotEqual(outcome.status, 0)
        XCTAssertTrue(outcome.standardError.contains("--distributed threads runs 3 replicas (--threads)"), outcome.standardError)
    }

    /// `run`'s config.json counts two processes, and its final queue and parameters are within
    /// float tolerance of `reference`'s.
    private func assertRunOfTwoProcesses(_ run: String, closeTo reference: String,
                                         file: StaticString = #filePath, line: UInt = #line) throws {
        let config = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: run + "/config.json")))
        XCTAssertEqual((config as? [String: Any])?["processes"] as? Int, 2, file: file, line: line)
        let mine = try SafeTensorsReader(path: CheckpointDirectory(runDirectory: run).file(forStep: 16))
        let theirs = try SafeTensorsReader(path: CheckpointDirectory(runDirectory: reference).file(forStep: 16))
        for name in ["queue.keys", "conv1.weight", "key.head.2.weight"] {
            XCTAssertEqual(try mine.tensor(name).scalars, try theirs.tensor(name).scalars, accuracy: 1e-4, name, file: file, line: line)
        }
    }

    /// An image that fails to load in rank 1's part of the first epoch is replaced from rank
    /// 1's share of the epoch's tail: both ranks take every step of both epochs, and rank 1's
    /// warning names the file.
    func testBrokenImageOnOneRankKeepsTheRanksInStep() throws {
        let dataset = try ImageFolderDataset(root: data)
        let shard = DataShard(rank: 1, count: 2)
        let loader = DataLoader(dataset: dataset, transform: try PretrainingFixtures.tinyConfiguration().views(),
                                batchSize: 4, seed: 3, shard: shard)
        let victim = loader.order(epoch: 0)[shard.positions(total: imageCount, localBatch: 4)[1]]
        let file = dataset.name(at: victim)
        let path = file.hasPrefix("/") ? file : data + "/" + file
        try Data("not a png\n".utf8).write(to: URL(fileURLWithPath: path))

        let outcome = try mpirun(pretrainArguments(out: folder + "/broken"))
        XCTAssertEqual(outcome.status, 0, outcome.standardError)
        XCTAssertTrue(outcome.standardOutput.contains("done: 16/16 steps"), outcome.standardOutput)
        XCTAssertTrue(outcome.standardError.contains("rank 1: warning: "), outcome.standardError)
        XCTAssertTrue(outcome.standardError.contains((file as NSString).lastPathComponent), outcome.standardError)
        let epochs = try JSONLines.read(MetricsRecord.self, contentsOf: folder + "/broken/metrics.jsonl").records
            .compactMap { record -> EpochSummary? in if case .epoch(let e) = record.record { return e } else { return nil } }
        XCTAssertEqual(epochs.map(\.skippedSamples), [1, 1])
    }

    /// Rank 1 killed with SIGKILL after step 5 ends the whole job promptly, `mpirun` naming the
    /// rank; `--resume auto` on two ranks then finishes bit for bit as the uninterrupted run,
    /// and the same checkpoint resumed by one process (`--query-groups 2`) within float tolerance.
    func testKilledRankEndsTheJobAndTheRunResumes() throws {
        let whole = try mpirun(pretrainArguments(out: folder + "/whole"))
        XCTAssertEqual(whole.status, 0, whole.standardError)

        let start = Date()
        let killed = try mpirun(pretrainArguments(out: folder + "/killed"),
                                environment: ["CLSA_TEST_KILL_AFTER_STEP": "5", "CLSA_TEST_KILL_RANK": "1"])
        XCTAssertLessThan(Date().timeIntervalSince(start), 60)
        XCTAssertNotEqual(killed.status, 0)
        XCTAssertNotEqual(killed.status, 124, "timeout ended the job, not mpirun")
        XCTAssertTrue((killed.standardOutput + killed.standardError).contains("rank 1"), killed.standardError)
        XCTAssertEqual(CheckpointDirectory(runDirectory: folder + "/killed").files().map(\.step), [3])
        try FileManager.default.copyItem(atPath: folder + "/killed", toPath: folder + "/single")

        let resumed = try mpirun(pretrainArguments(out: folder + "/killed", extra: ["--resume", "auto"]))
        XCTAssertEqual(resumed.status, 0, resumed.standardError)
        XCTAssertEqual(try PretrainingFixtures.stepLosses(inMetrics: folder + "/killed/metrics.jsonl"),
                       try PretrainingFixtures.stepLosses(inMetrics: folder + "/whole/metrics.jsonl"))

        let single = try ClsaExecutable.run(pretrainArguments(out: folder + "/single", extra: ["--query-groups", "2", "--resume", "auto"]))
        XCTAssertEqual(single.status, 0, single.standardError)
        assertClose(try losses(folder + "/single"), try losses(folder + "/whole"), steps: 1...16)
    }

    /// A rank that finds no checkpoint where the others resume from one (a run folder that is
    /// not on a shared file system) stops the job before any step, saying why.
    func testRanksThatStartAtDifferentStepsStopTheJob() throws {
        let run = try mpirun(pretrainArguments(out: folder + "/first", extra: ["--epochs", "1"]))
        XCTAssertEqual(run.status, 0, run.standardError)
        let split = try mpirun(pretrainArguments(out: folder + "/first", extra: ["--epochs", "1", "--resume", "auto"]),
                               rank1Arguments: pretrainArguments(out: folder + "/elsewhere", extra: ["--epochs", "1", "--resume", "auto"]))
        XCTAssertNotEqual(split.status, 0)
        XCTAssertNotEqual(split.status, 124, "timeout ended the job, not the ranks")
        XCTAssertTrue(split.standardError.contains("the processes start at different steps (from 0 to 8)"), split.standardError)
        XCTAssertTrue(split.standardError.contains("must be on a file system that all of them share"), split.standardError)
    }
}
