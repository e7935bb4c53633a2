import CLSA
import Augment

/// The charts written at the end of pretraining and of linear evaluation.
public enum TrainingCharts {
    /// Pixels of each panel.
    public static let panelSize = (width: 800, height: 360)

    /// Pretraining: L, L_C and L_D against the step; below, when any epoch carries one, the kNN
    /// top-1 accuracy against the epoch.
    public static func pretraining(_ log: PretrainingMetricsLog) -> RGBImage {
        func points(_ value: (PretrainingMetricsLog.StepRecord) -> Double?) -> [(x: Double, y: Double)] {
            log.steps.compactMap { record in value(record).map { (Double(record.step), $0) } }
        }
        var losses = LineChart(title: "Pretraining loss", xLabel: "step", yLabel: "loss")
        losses.series = [LineChart.Series(name: "L", points: points { $0.loss })]
        for (name, values) in [("L_C", points { $0.lossContrastive }), ("L_D", points { $0.lossDivergence })] where !values.isEmpty {
            losses.series.append(LineChart.Series(name: name, points: values))
        }
        var panels = [losses.render(width: panelSize.width, height: panelSize.height)]
        let knn = log.epochs.compactMap { record in record.knnTop1.map { (x: Double(record.epoch), y: $0) } }
        if !knn.isEmpty {
            let chart = LineChart(title: "kNN monitor", xLabel: "epoch", yLabel: "top-1 %",
                                  series: [LineChart.Series(name: "kNN top-1", points: knn, color: LineChart.palette[3])])
            panels.append(chart.render(width: panelSize.width, height: panelSize.height))
        }
        return LineChart.stacked(panels)
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
