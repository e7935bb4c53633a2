import ArgumentParser
import CheckpointFuzzing
import Foundation
import ProcessRunning

/// `fuzz-checkpoints run`: the whole fuzzing run behind `Scripts/fuzz-checkpoints`.
///
/// 1. Writes the corpus of damaged checkpoints made from the committed fixture.
/// 2. Runs every command of `FuzzedCommand` on the intact fixture: each must succeed (else the
///    run itself is broken).
/// 3. Runs every command on every variant, in a child process with a time limit, and judges how
///    it ended (`RefusalVerdict`): a crash, a hang or an unclear ending is a failure; a variant that a
///    command accepts is listed.
///
/// Prints one `name: value` line per figure and one line per command, and exits 1 when any
/// failure was counted or a child's resident set passed `--rss-limit-mb`.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Generate a corpus and run clsa export, embed, linear-eval and pretrain --resume over it.")

    @OptionGroup var corpus: CorpusOptions

    @Option(help: "The clsa executable (default: the one beside this program).")
    var clsa: String?

    @Option(help: "The scratch folder (default: a new temporary folder, removed at the end).")
    var work: String?

    @Option(help: "Seconds after which a child process is killed and counted as hung.")
    var timeout = 120.0

    @Option(help: "The largest resident set any child may reach, in MiB.")
    var rssLimitMb = 2048.0

    func run() throws {
        let start = Date()
        let clsa = self.clsa ?? SiblingExecutable.path(named: "clsa")
        let scratch = try work ?? TemporaryFolder.make(prefix: "fuzz-checkpoints")
        defer { if work == nil { try? FileManager.default.removeItem(atPath: scratch) } }
        func inScratch(_ name: String) -> String { (scratch as NSString).appendingPathComponent(name) }

        let checkpointCorpus = try corpus.corpus()
        let count = corpus.count ?? checkpointCorpus.fullCount
        let variants = try checkpointCorpus.write(count: count, to: inScratch("corpus"))
        let intact = CheckpointFixture.path(root: corpus.root)
        let paths = FuzzedCommand.Paths(data: CheckpointFixture.data(root: corpus.root), labelledData: inScratch("labelled"),
                                        output: inScratch("output"))
        try FuzzedCommand.writeLabelledData(from: paths.data, to: paths.labelledData)

        var brokenBaselines = 0
        for command in FuzzedCommand.allCases {
            let (arguments, _) = try command.prepare(checkpoint: intact, intact: intact, paths: paths)
            let outcome = try ChildProcess.run(clsa, arguments, timeout: timeout)
            if outcome.ending != .exited(0) {
                brokenBaselines += 1
                print("baseline: \(command.rawValue) failed on the intact fixture (\(outcome.ending))\n"
                      + "\(outcome.standardError.suffix(2000))")
            }
        }

        var counts = VerdictCounts()
        var acceptedVariants: Set<String> = []
        for (variant, path) in variants {
            for command in FuzzedCommand.allCases {
                let (arguments, seen) = try command.prepare(checkpoint: path, intact: intact, paths: paths)
                let verdict = RefusalVerdict(try ChildProcess.run(clsa, arguments, timeout: timeout), checkpoint: seen)
                counts.add(verdict, for: command)
                if verdict == .accepted { acceptedVariants.insert(variant.name) }
                if verdict.isFailure || verdict == .accepted {
                    print("\(verdict): \(command.rawValue) on \(variant.name) (\(variant.detail.prefix(200)))")
                }
            }
        }

        print("cpu: \(CPUModel.name)")
        print("variants_tried: \(variants.count)")
        print("damage_kinds: \(CheckpointDamage.allCases.count)")
        for line in counts.lines { print(line) }
        print("variants_accepted_by_some_command: \(acceptedVariants.count)")
        print("crashes: \(counts.total("crashed"))")
        print("hangs: \(counts.total("hung"))")
        print("unclear_endings: \(counts.total("unclear"))")
        print("broken_baselines: \(brokenBaselines)")
        let peak = ChildProcess.peakResidentMiB
        print("peak_rss_mb: \(Int(peak.rounded()))")
        print("seconds: \(Int(Date().timeIntervalSince(start).rounded()))")
        let failures = counts.total("crashed") + counts.total("hung") + counts.total("unclear") + brokenBaselines
        if failures > 0 || peak > rssLimitMb { throw ExitCode.failure }
    }
}
