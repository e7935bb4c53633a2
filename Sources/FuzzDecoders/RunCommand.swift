import ArgumentParser
import DecoderFuzzing
import Foundation
import ProcessRunning

/// `fuzz-decoders run`: the whole fuzzing run behind `Scripts/fuzz-decoders`.
///
/// 1. Writes the corpus: each damaged file followed by an intact copy of its source.
/// 2. Decodes it in order in a child process (`decode`): crashes, hangs and decoder state leaks.
/// 3. With `--pillow-reference`: every damaged file the project decodes must decode to Pillow's pixels.
/// 4. `clsa embed` of the intact files alone, then of the mixed folder with each worker count:
///    every intact file's row must be bit-identical, every rejected file named in a warning.
///    Batches hold one image: OpenBLAS's sgemm rounds an output column differently depending on
///    how many columns the product has, so rows are bit-identical only between equal batches
///    (with batches of 64 they agree to about 1e-6).
/// 5. One epoch of `clsa pretrain` (a tiny network) over the mixed folder with each worker count:
///    it must finish, and every skip warning must name a rejected file.
///
/// Prints one `name: value` line per figure and exits 1 when any count of failures is not zero
/// or a child's resident set passed `--rss-limit-mb`.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Generate a corpus and run the decoders, clsa embed and clsa pretrain over it.")

    @OptionGroup var corpus: CorpusOptions

    @Option(help: "The clsa executable (default: the one beside this program).")
    var clsa: String?

    @Option(help: "The scratch folder (default: a new temporary folder, removed at the end).")
    var work: String?

    @Option(help: "Loader worker counts for clsa embed and clsa pretrain, comma-separated.")
    var workers = "1,2,3"

    @Option(help: "Pillow's outcomes for the corpus (made by Scripts/fixtures/make_fuzz_reference.py).")
    var pillowReference: String?

    @Option(help: "Seconds after which a child process is killed and counted as hung.")
    var timeout = 900.0

    @Option(help: "The largest resident set any child may reach, in MiB.")
    var rssLimitMb = 1024.0

    func run() throws {
        let start = Date()
        let program = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
        let clsa = self.clsa ?? SiblingExecutable.path(named: "clsa")
        let workerCounts = workers.split(separator: ",").compactMap { Int($0) }
        let scratch = try work ?? TemporaryFolder.make(prefix: "fuzz-decoders")
        defer { if work == nil { try? FileManager.default.removeItem(atPath: scratch) } }
        func inScratch(_ name: String) -> String { (scratch as NSString).appendingPathComponent(name) }

        let fuzzCorpus = try corpus.corpus()
        let folders = try fuzzCorpus.write(count: corpus.count, to: scratch)
        let damagedNames = (0..<corpus.count).map { fuzzCorpus.variant($0).damagedName }
        var findings = Findings()

        // `decode` exits 1 when it found state leaks, which it prints and which are counted below.
        let decode = try findings.run(program, ["decode", folders.mixed, "--outcomes", inScratch("outcomes.tsv")],
                                      label: "decode", timeout: timeout, acceptedStatuses: [0, 1])
        if case .exited(1) = decode.ending { findings.stateLeaks += decode.standardOutput.split(separator: "\n")
            .filter { $0.hasPrefix("state leak:") }.count }
        let ours = try OutcomeTable(path: inScratch("outcomes.tsv")).outcomes
        let rejected = Set(damagedNames.filter { ours[$0]?.isDecoded == false })
        let decodedDamaged = damagedNames.filter { ours[$0]?.isDecoded == true }

        var checkedAgainstPillow = 0, onlyPillowDecodes = 0
        if let pillowReference {
            let pillow = try OutcomeTable(path: pillowReference).outcomes
            onlyPillowDecodes = rejected.filter { pillow[$0]?.isDecoded == true }.count
            for name in decodedDamaged {
                guard let reference = pillow[name] else { continue }
                checkedAgainstPillow += 1
                if reference != ours[name] {
                    findings.unlikePillow += 1
                    print("unlike Pillow: '\(name)': \(ours[name]!), Pillow \(reference)")
                }
            }
        }

        let backbone = inScratch("backbone.safetensors")
        _ = try findings.run(clsa, ["export", "--untrained-preset", "fashion-mnist-quick", "--out", backbone],
                             label: "export", timeout: timeout)
        let reference = inScratch("good.safetensors")
        _ = try findings.run(clsa, ["embed", "--checkpoint", backbone, "--data", folders.good, "--out", reference,
                                    "--workers", "2", "--batch-size", "1"], label: "embed good", timeout: timeout)
        for count in workerCounts {
            let output = inScratch("mixed-\(count).safetensors")
            let embed = try findings.run(clsa, ["embed", "--checkpoint", backbone, "--data", folders.mixed, "--out", output,
                                                "--workers", String(count), "--batch-size", "1"],
                                         label: "embed mixed, \(count) workers", timeout: timeout)
            guard embed.ending == .exited(0) else { continue }
            let comparison = try EmbeddingComparison(reference: reference, candidate: output)
            findings.goodImagesLost += comparison.missing.count + comparison.differing.count
            for name in comparison.missing { print("lost: '\(name)' has no row (embed, \(count) workers)") }
            for name in comparison.differing { print("lost: '\(name)' has a different row (embed, \(count) workers)") }
            findings.checkSkips(warned: embed.standardError, rejected: rejected, label: "embed, \(count) workers")
            let missingDecoded = decodedDamaged.filter { !comparison.candidateNames.contains($0) }
            findings.unnamedSkips += missingDecoded.count
            for name in missingDecoded { print("dropped: '\(name)' decodes but has no row (embed, \(count) workers)") }
        }
        for count in workerCounts {
            let pretrain = try findings.run(clsa, ["pretrain", "--data", folders.mixed, "--arch", "resnet18-small",
                                                   "--base-width", "4", "--image-size", "16", "--strong-sizes", "8",
                                                   "--batch-size", "64", "--queue-size", "128", "--epochs", "1",
                                                   "--workers", String(count), "--seed", "1",
                                                   "--out", inScratch("pretrain-\(count)")],
                                            label: "pretrain, \(count) workers", timeout: timeout)
            findings.checkSkips(warned: pretrain.standardError, rejected: rejected, label: "pretrain, \(count) workers",
                                requireAll: false)
        }

        print("cpu: \(CPUModel.name)")
        print("sources: \(fuzzCorpus.sources.count)")
        print("variants_tried: \(corpus.count)")
        print("damaged_decoded: \(decodedDamaged.count)")
        print("damaged_rejected: \(rejected.count)")
        if pillowReference != nil {
            print("decoded_checked_against_pillow: \(checkedAgainstPillow)")
            print("rejected_but_pillow_decodes: \(onlyPillowDecodes)")
        }
        print("decoded_unlike_pillow: \(findings.unlikePillow)")
        print("decoder_state_leaks: \(findings.stateLeaks)")
        print("crashes: \(findings.crashes)")
        print("hangs: \(findings.hangs)")
        print("failed_runs: \(findings.failedRuns)")
        print("good_images_lost: \(findings.goodImagesLost)")
        print("skips_not_named: \(findings.unnamedSkips)")
        let peak = ChildProcess.peakResidentMiB
        print("peak_rss_mb: \(Int(peak.rounded()))")
        print("seconds: \(Int(Date().timeIntervalSince(start).rounded()))")
        if findings.failures > 0 || peak > rssLimitMb { throw ExitCode.failure }
    }
}

/// The failures a run has counted.
private struct Findings {
    var crashes = 0, hangs = 0, failedRuns = 0, stateLeaks = 0, unlikePillow = 0, goodImagesLost = 0, unnamedSkips = 0

    var failures: Int { crashes + hangs + failedRuns + stateLeaks + unlikePillow + goodImagesLost + unnamedSkips }

    /// Runs a child, counting a crash, a hang or an exit status not in `acceptedStatuses`.
    mutating func run(_ executable: String, _ arguments: [String], label: String, timeout: Double,
                      acceptedStatuses: Set<Int32> = [0]) throws -> ChildProcess.Outcome {
        let outcome = try ChildProcess.run(executable, arguments, timeout: timeout)
        switch outcome.ending {
        case .crashed(let signal):
            crashes += 1
            print("crash: \(label) died of signal \(signal)\n\(outcome.standardError.suffix(2000))")
        case .hung:
            hangs += 1
            print("hang: \(label) still ran after \(Int(timeout)) s and was killed")
        case .exited(let status) where !acceptedStatuses.contains(status):
            failedRuns += 1
            print("failed: \(label) exited with status \(status)\n\(outcome.standardError.suffix(2000))")
        case .exited:
            break
        }
        return outcome
    }

    /// Every "cannot decode 'PATH'" warning must name a rejected file; with `requireAll`, every
    /// rejected file must be named.
    mutating func checkSkips(warned standardError: String, rejected: Set<String>, label: String, requireAll: Bool = true) {
        let named = Set(standardError.split(separator: "\n").filter { $0.hasPrefix("warning: cannot") }.compactMap { line in
            line.split(separator: "'", maxSplits: 2).dropFirst().first.map { ($0 as Substring).split(separator: "/").last.map(String.init) ?? "" }
        })
        for name in named.subtracting(rejected).sorted() {
            unnamedSkips += 1
            print("wrongly skipped: '\(name)' (\(label)) decodes on its own")
        }
        guard requireAll else { return }
        for name in rejected.subtracting(named).sorted() {
            unnamedSkips += 1
            print("silent: '\(name)' (\(label)) was rejected by the decoder but no warning names it")
        }
    }
}
