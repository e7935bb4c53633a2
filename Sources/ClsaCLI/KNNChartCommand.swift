import ArgumentParser
import CLSA
import Foundation
import Reporting

/// `clsa knn-chart`: the kNN curves of several pretraining runs in one PNG, and their times.
struct KNNChartCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "knn-chart",
        abstract: "Chart the kNN monitor of several runs against their training minutes; print each run's time and last kNN.",
        discussion: """
            Training minutes are the sum of the steps' times from metrics.jsonl (data waits included; \
            kNN monitoring and checkpoint saves left out), so a run resumed across sessions counts each \
            step once. Runs need --knn-every to have kNN points.
            """)

    @Option(name: .customLong("run"), help: ArgumentHelp("A run to draw, as NAME=RUN_DIR (repeatable).", valueName: "name=dir"))
    var runs: [String] = []

    @Option(name: .customLong("reference"), help: ArgumentHelp("A flat reference line, as NAME=PERCENT (repeatable), e.g. raw-pixels=82.38.",
                                                               valueName: "name=value"))
    var references: [String] = []

    @Option(help: "The PNG file to write.")
    var out: String

    func validate() throws {
        guard !runs.isEmpty else { throw ValidationError("give at least one --run NAME=RUN_DIR") }
        _ = try parsedRuns()
        _ = try parsedReferences()
    }

    func run() throws {
        let timelines = try parsedRuns().map { run -> (name: String, timeline: PretrainingTimeline) in
            do {
                return (run.name, try PretrainingTimeline(runDirectory: run.directory))
            } catch let error as ConfigurationError {
                throw ValidationError("--run \(run.name)=\(run.directory): \(error.message)")
            }
        }
        try PNGOutput.write(TrainingCharts.knnComparison(timelines, references: try parsedReferences()), to: out)
        print("run\tsteps\tepochs\ttraining_seconds\tlast_knn_top1")
        for (name, timeline) in timelines {
            let knn = timeline.epochs.last { $0.knnAccuracy != nil }?.knnAccuracy.map { String(format: "%.2f", $0) } ?? "-"
            print("\(name)\t\(timeline.steps)\t\(timeline.epochs.count)\t\(String(format: "%.2f", timeline.trainingSeconds))\t\(knn)")
        }
        print("chart: '\(out)'")
    }

    private func parsedRuns() throws -> [(name: String, directory: String)] {
        try runs.map { try Self.split($0, flag: "--run") }
    }

    private func parsedReferences() throws -> [(name: String, value: Double)] {
        try references.map { text in
            let (name, number) = try Self.split(text, flag: "--reference")
            guard let value = Double(number), value.isFinite else {
                throw ValidationError("--reference '\(text)': '\(number)' is not a number")
            }
            return (name, value)
        }
    }

    /// "name=value" → ("name", "value"), both non-empty.
    private static func split(_ text: String, flag: String) throws -> (String, String) {
        guard let equals = text.firstIndex(of: "="), equals != text.startIndex, text.index(after: equals) != text.endIndex else {
            throw ValidationError("\(flag) '\(text)': expected NAME=VALUE")
        }
        return (String(text[..<equals]), String(text[text.index(after: equals)...]))
    }
}
