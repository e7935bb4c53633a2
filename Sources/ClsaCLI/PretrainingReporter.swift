import CLSA
import Foundation

/// Shows a pretraining run on the console: the configuration and machine at the start, a
/// one-line progress bar per epoch redrawn in place (`ProgressStyle.bar`) or plain lines every
/// `plainInterval` seconds (`.lines`, e.g. into a log file), a line per epoch and checkpoint,
/// and the final summary. Results go to stdout, warnings to stderr.
final class PretrainingReporter {
    private let progress: ProgressStyle
    /// Seconds between two plain progress lines.
    private let plainInterval: Double
    /// Whether a progress bar is drawn on the current line (so other output needs a newline).
    private var barShown = false
    private var lastPlainLine: Date?
    /// Whether the run is supervised (one cross-entropy loss, no L_C and L_D), from its start.
    private var supervised = false

    init(progress: ProgressStyle, plainInterval: Double = 10) {
        self.progress = progress
        self.plainInterval = plainInterval
    }

    func handle(_ event: PretrainingEvent) {
        switch event {
        case .started(let start): printStart(start)
        case .warning(let line): warn(line)
        case .estimate(let total, let remaining):
            say("estimate: \(Self.duration(remaining)) to go (\(Self.duration(total)) in all), from the first steps")
        case .step(let progress): showProgress(progress)
        case .checkpointSaved(let path, let position):
            say("checkpoint: step \(position.step) saved to '\(path)'")
        case .epochFinished(let epoch):
            let terms = supervised ? "" : String(format: " (L_C %.4f, L_D %.4f)", epoch.meanContrastive, epoch.meanDivergence)
            var line = String(format: "epoch %d done: loss %.4f%@, %.1f images/s, %@", epoch.epoch + 1, epoch.meanLoss,
                              terms, epoch.imagesPerSecond, Self.duration(epoch.seconds))
            if let accuracy = epoch.knnAccuracy { line += String(format: ", kNN top-1 %.2f%%", accuracy) }
            if epoch.skippedSamples > 0 { line += ", \(Self.counted(epoch.skippedSamples, "image")) skipped" }
            say(line)
        }
    }

    /// The final summary line.
    func finish(_ summary: PretrainingSummary) {
        let saved = summary.lastCheckpoint.map { "'\($0)'" } ?? "none"
        if summary.interrupted {
            say("interrupted at step \(summary.completedSteps)/\(summary.totalSteps): checkpoint \(saved); "
                + "continue with --resume auto")
        } else {
            let loss = summary.finalLoss.map { String(format: "%.4f", $0) } ?? "–"
            let skipped = summary.skippedSamples > 0 ? ", \(Self.counted(summary.skippedSamples, "image")) skipped" : ""
            say("done: \(summary.completedSteps)/\(summary.totalSteps) steps, \(Self.counted(summary.completedEpochs, "epoch")) "
                + "in \(Self.duration(summary.seconds)), final loss \(loss), checkpoint \(saved)\(skipped)")
        }
    }

    /// Scores `comparison` with the run's last checkpoint in `runDirectory` and prints the three
    /// figures, one line each: what pretraining bought, beside its two floors.
    func report(_ comparison: BaselineComparison, runDirectory: String) throws {
        guard let checkpoint = CheckpointDirectory(runDirectory: runDirectory).files().last?.path else { return }
        say("kNN probe (k 200, T 0.1) on \(comparison.validation.count) images against the \(comparison.train.count) "
            + "of the run's data, at \(comparison.configuration.imageSize) px:")
        let scores = try comparison.scores(pretrained: try BackboneFile.read(from: checkpoint).network)
        say(String(format: "pretrained  %6.2f %%  (this run's backbone)", scores.pretrained))
        say(String(format: "untrained   %6.2f %%  (the same network at its initialisation, seed %llu)",
                   scores.untrained, comparison.configuration.seed))
        say(String(format: "raw pixels  %6.2f %%  (no network)", scores.rawPixels))
    }

    /// Ends a progress bar line before an error message.
    func abandonLine() {
        if barShown { print("") }
        barShown = false
    }

    private func printStart(_ start: PretrainingStart) {
        let c = start.configuration
        supervised = c.objective == .supervised
        let objective = supervised ? "supervised (cross-entropy with labels)"
            : c.usesStrongViews ? "CLSA (\(c.objective.rawValue))" : "MoCo v2"
        let list = { (sizes: [Int]) in sizes.map(String.init).joined(separator: ",") }
        let views = "\(c.imageSize) px" + (c.weakSizes.map { ", weak queries \(list($0))" } ?? "")
            + (c.usesStrongViews ? ", strong \(list(c.strongSizes))" : "")
        say("""
            clsa pretrain \(CLSAVersion.string): \(objective), \(c.architecture) width \(c.baseWidth), \(views)
            config: epochs \(c.epochs), batch \(c.batchSize), lr \(c.effectiveLearningRate) (cosine), momentum \(c.momentum), \
            weight decay \(c.weightDecay), K \(c.queueSize), key groups \(c.effectiveKeyShuffleGroups), τ \(c.temperature), α \(c.alpha), β \(c.beta), \
            dim \(c.dimension), hidden \(c.hidden.map(String.init) ?? "auto"), seed \(c.seed)
            data: \(start.settings.data)\(start.settings.subset.map { " (subset of \($0))" } ?? ""): \
            \(start.datasetCount) images, \(start.stepsPerEpoch) steps per epoch, \(start.totalSteps) steps
            cpu_model: \(start.provenance.cpuModel)
            blas_core: \(start.provenance.blasCore)
            threads: \(start.settings.threads), workers: \(start.settings.workers)
            run folder: \(start.settings.runDirectory)
            """)
        if let resumed = start.resumedFrom {
            say("resuming '\(resumed.path)': epoch \(resumed.position.epoch + 1), step \(resumed.position.step)")
        }
    }

    private func showProgress(_ p: StepProgress) {
        let m = p.metrics
        let losses = supervised ? String(format: "loss %.4f", m.loss)
            : String(format: "L_C %.4f  L_D %.4f", m.lossContrastive, m.lossDivergence)
        let figures = String(format: "%.1f img/s  ETA %@  %@  lr %.5f", p.imagesPerSecond,
                             Self.duration(p.epochSecondsLeft), losses, m.learningRate)
        let epochLabel = "epoch \(p.epoch + 1)/\(p.epochs)"
        let stepLabel = "\(p.stepInEpoch)/\(p.stepsPerEpoch)"
        let epochDone = p.stepInEpoch >= p.stepsPerEpoch
        if progress == .bar {
            let width = 24
            let filled = min(width, width * p.stepInEpoch / max(p.stepsPerEpoch, 1))
            let bar = String(repeating: "=", count: filled) + String(repeating: " ", count: width - filled)
            // Carriage return and erase-line redraw the bar in place.
            FileHandle.standardOutput.write(Data("\r\u{1B}[K\(epochLabel) [\(bar)] \(stepLabel)  \(figures)".utf8))
            barShown = true
            if epochDone { abandonLine() }
            return
        }
        let now = Date()
        guard p.stepInEpoch == 1 || epochDone || lastPlainLine.map({ now.timeIntervalSince($0) >= plainInterval }) ?? true else {
            return
        }
        lastPlainLine = now
        say("\(epochLabel) step \(stepLabel) (\(m.step)/\(p.totalSteps))  \(figures)  run ETA \(Self.duration(p.runSecondsLeft))")
    }

    private func say(_ text: String) {
        abandonLine()
        print(text)
        fflush(stdout)
    }

    private func warn(_ line: String) {
        abandonLine()
        FileHandle.standardError.write(Data((FlagNames.translate(line) + "\n").utf8))
    }

    /// (1, "image") → "1 image", (3, "image") → "3 images".
    static func counted(_ count: Int, _ noun: String) -> String {
        count == 1 ? "1 \(noun)" : "\(count) \(noun)s"
    }

    /// 75 → "1m 15s", 3725 → "1h 02m".
    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "?" }
        let total = Int(seconds.rounded())
        if total < 60 { return "\(total)s" }
        if total < 3600 { return "\(total / 60)m \(String(format: "%02d", total % 60))s" }
        return "\(total / 3600)h \(String(format: "%02d", total % 3600 / 60))m"
    }
}
