import Augment
import CLSA

/// The charts written at the end of pretraining and of linear evaluation.
public enum TrainingCharts {
    /// Pixels of each panel.
    public static let panelSize = (width: 800, height: 360)

    /// Pretraining, from the records of `metrics.jsonl`: L, L_C and L_D against the step;
    /// below, when any epoch carries one, the kNN top-1 accuracy against the epoch.
    public static func pretraining(_ records: [MetricsRecord]) -> RGBImage {
        let steps = records.compactMap { record -> MetricsRecord.Step? in
            if case .step(let step) = record { return step } else { return nil }
        }
        let epochs = records.compactMap { record -> EpochSummary? in
            if case .epoch(let epoch) = record { return epoch } else { return nil }
        }
        func points(_ value: (MetricsRecord.Step) -> Float) -> [(x: Double, y: Double)] {
            steps.map { (Double($0.step), Double(value($0))) }
        }
        let losses = LineChart(title: "Pretraining loss", xLabel: "step", yLabel: "loss", series: [
            LineChart.Series(name: "L", points: points { $0.loss }),
            LineChart.Series(name: "L_C", points: points { $0.lossContrastive }),
            LineChart.Series(name: "L_D", points: points { $0.lossDivergence }),
        ])
        var panels = [losses.render(width: panelSize.width, height: panelSize.height)]
        let knn = epochs.compactMap { record in record.knnAccuracy.map { (x: Double(record.epoch), y: $0) } }
        if !knn.isEmpty {
            let chart = LineChart(title: "kNN monitor", xLabel: "epoch", yLabel: "top-1 %",
                                  series: [LineChart.Series(name: "kNN top-1", points: knn, color: LineChart.palette[3])])
            panels.append(chart.render(width: panelSize.width, height: panelSize.height))
        }
        return LineChart.stacked(panels)
    }

    /// Several runs' kNN top-1 (percent) at each epoch's end against their training minutes
    /// (`PretrainingTimeline`), with each reference (raw pixels' kNN, say) as a flat line across.
    public static func knnComparison(_ runs: [(name: String, timeline: PretrainingTimeline)],
                                     references: [(name: String, value: Double)] = []) -> RGBImage {
        var series = runs.map { run in
            LineChart.Series(name: run.name, points: run.timeline.epochs.compactMap { end in
                end.knnAccuracy.map { (x: end.minutes, y: $0) }
            })
        }
        let end = runs.flatMap { $0.timeline.epochs.map(\.minutes) }.max() ?? 1
        series += references.map { LineChart.Series(name: $0.name, points: [(0, $0.value), (end, $0.value)]) }
        let chart = LineChart(title: "kNN top-1 during pretraining", xLabel: "training minutes", yLabel: "top-1 %",
                              series: series)
        return chart.render(width: panelSize.width, height: panelSize.height)
    }

    /// Linear evaluation: the training loss per epoch; below, validation top-1 and top-5.
    public static func linearEvaluation(_ epochs: [LinearEvaluationEpoch]) -> RGBImage {
        let loss = LineChart(title: "Linear evaluation: training loss", xLabel: "epoch", yLabel: "loss",
                             series: [LineChart.Series(name: "train loss", points: epochs.map { (Double($0.epoch), $0.trainLoss) })])
        let accuracy = LineChart(title: "Linear evaluation: validation accuracy", xLabel: "epoch", yLabel: "%",
                                 series: [LineChart.Series(name: "top-1", points: epochs.map { (Double($0.epoch), $0.top1) }),
                                          LineChart.Series(name: "top-5", points: epochs.map { (Double($0.epoch), $0.top5) })])
        return LineChart.stacked([loss.render(width: panelSize.width, height: panelSize.height),
                                  accuracy.render(width: panelSize.width, height: panelSize.height)])
    }
}
