import Augment
import Foundation
import XCTest
@testable import CLSA
@testable import Reporting

final class LineChartTests: XCTestCase {
    private func isWhite(_ image: RGBImage, _ x: Int, _ y: Int) -> Bool {
        let p = image[x, y]
        return p.r == 255 && p.g == 255 && p.b == 255
    }

    private func color(_ image: RGBImage, _ x: Int, _ y: Int) -> ChartColor {
        let p = image[x, y]
        return ChartColor(p.r, p.g, p.b)
    }

    private func hasColor(_ image: RGBImage, _ color: ChartColor, near x: Int, _ y: Int, radius: Int = 2) -> Bool {
        for dy in -radius...radius {
            for dx in -radius...radius where (0..<image.width).contains(x + dx) && (0..<image.height).contains(y + dy) {
                let p = image[x + dx, y + dy]
                if p.r == color.red && p.g == color.green && p.b == color.blue { return true }
            }
        }
        return false
    }

    /// The image has the requested size, and the series' colour appears along the line between
    /// its points (a straight line y = x from corner to corner of the data range).
    func testSeriesIsDrawnAlongItsPoints() throws {
        let chart = LineChart(title: "Test chart", xLabel: "step", yLabel: "loss",
                              series: [.init(name: "diagonal", points: [(0, 0), (10, 10)]),
                                       .init(name: "flat", points: [(0, 5), (10, 5)])])
        let image = chart.render(width: 400, height: 300)
        XCTAssertEqual(image.width, 400)
        XCTAssertEqual(image.height, 300)
        let area = LineChart.plotArea(width: 400, height: 300)
        let yAxis = AxisScale(values: [0, 5, 10], padding: 0.05)
        func pixelY(_ y: Double) -> Int {
            area.y + area.height - 1 - Int(((y - yAxis.lower) / (yAxis.upper - yAxis.lower) * Double(area.height - 1)).rounded())
        }
        let blue = LineChart.palette[0], orange = LineChart.palette[1]
        for fraction in stride(from: 0.05, through: 0.5, by: 0.05) {
            let x = area.x + Int(fraction * Double(area.width - 1))
            XCTAssertTrue(hasColor(image, blue, near: x, pixelY(10 * fraction)), "diagonal at fraction \(fraction)")
            XCTAssertTrue(hasColor(image, orange, near: x, pixelY(5)), "flat line at fraction \(fraction)")
            XCTAssertFalse(hasColor(image, blue, near: x, pixelY(10 * fraction + 3)), "nothing beside the line at fraction \(fraction)")
        }
        XCTAssertEqual([yAxis.lower, yAxis.upper, yAxis.step], [0, 15, 5])
        XCTAssertTrue(isWhite(image, 1, image.height - 1))
        // The PNG encoder accepts it and the decoder gives back the same pixels.
        XCTAssertEqual(try PNGCodec.decode(try PNGCodec.encode(image)), image)
    }

    /// Title, tick labels and legend are drawn as dark text: the title band is not blank.
    func testTextIsDrawn() {
        let image = LineChart(title: "ABC", xLabel: "x", yLabel: "y", series: [.init(name: "s", points: [(0, 1), (1, 2)])])
            .render(width: 300, height: 200)
        let titleWidth = BitmapFont.width(of: "ABC", scale: 2)
        let left = (300 - titleWidth) / 2
        var dark = 0
        for y in 8..<22 { for x in left..<(left + titleWidth) where image[x, y].r == 0 { dark += 1 } }
        XCTAssertGreaterThan(dark, 40)
        XCTAssertEqual(BitmapFont.rows(of: "a"), BitmapFont.rows(of: "A"))
        XCTAssertNotEqual(BitmapFont.rows(of: "8"), BitmapFont.rows(of: "B"))
        XCTAssertEqual(BitmapFont.width(of: "12.5%", scale: 1), 29)
    }

    func testTicksAreRoundNumbers() {
        let axis = AxisScale(values: [0.13, 0.87], padding: 0.05)
        XCTAssertEqual(axis.step, 0.2, accuracy: 1e-12)
        XCTAssertEqual(axis.ticks.map(axis.label), ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"])
        let steps = AxisScale(values: [0, 48_000], padding: 0)
        XCTAssertEqual(steps.ticks.map(steps.label), ["0", "10K", "20K", "30K", "40K"])
        let losses = AxisScale(values: [0.5, 9], padding: 0.05)
        XCTAssertEqual(losses.lower, 0)
        let below = AxisScale(values: [-9, -0.5], padding: 0.05)
        XCTAssertEqual(below.upper, 0)
        let flat = AxisScale(values: [3, 3], padding: 0.05)
        XCTAssertLessThan(flat.lower, 3)
        XCTAssertGreaterThan(flat.upper, 3)
    }

    /// Without a finite point, the plot area holds the words "no data" (gray text at its middle)
    /// and no series colour anywhere.
    func testEmptyChartSaysSo() {
        let image = LineChart(title: "Empty", xLabel: "x", yLabel: "y", series: [.init(name: "nan", points: [(1, .nan)])])
            .render(width: 200, height: 150)
        let area = LineChart.plotArea(width: 200, height: 150)
        let noteWidth = BitmapFont.width(of: "no data")
        let left = area.x + (area.width - noteWidth) / 2, top = area.y + area.height / 2
        var textPixels = 0
        for y in top..<(top + 8) { for x in left..<(left + noteWidth) where color(image, x, y) == .axisGray { textPixels += 1 } }
        XCTAssertGreaterThan(textPixels, 10, "the note is drawn")
        XCTAssertFalse((0..<150).contains { y in (0..<200).contains { x in LineChart.palette.contains(color(image, x, y)) } })
    }

    /// The pretraining chart reads metrics.jsonl records; with kNN records it has a second panel.
    func testPretrainingChartFromMetricsRecords() {
        let epochFields = #""images_per_s":10,"loss":9,"loss_c":8,"loss_d":1,"seconds":2,"skipped":0"#
        let text = """
            {"step":1,"epoch":0,"loss":9.1,"loss_c":8.0,"loss_d":1.1,"lr":0.03,"images_per_s":10}
            {"type":"step","step":2,"epoch":0,"loss":8.7,"loss_c":7.8,"loss_d":0.9,"lr":0.03,"images_per_s":11}
            {"type":"epoch","epoch":0,"step":2,\(epochFields),"knn_top1":21.5}
            {"step":3,"epoch":1,"loss":8.2,"loss_c":7.5,"loss_d":0.7,"lr":0.02,"images_per_s":11}
            {"type":"epoch","epoch":1,"step":3,\(epochFields),"knn_top1":30.25}
            {"step":4,"epoch":2,"lo
            """
        let read = JSONLines.read(MetricsRecord.self, from: text)
        XCTAssertEqual(read.skippedLines, 1)
        let records = read.records.map(\.record)
        let steps = records.compactMap { record -> MetricsRecord.Step? in if case .step(let s) = record { return s } else { return nil } }
        XCTAssertEqual(steps.map(\.step), [1, 2, 3])
        XCTAssertEqual(steps[1].lossDivergence, 0.9)
        let knn = records.compactMap { record -> Double? in if case .epoch(let e) = record { return e.knnAccuracy } else { return nil } }
        XCTAssertEqual(knn, [21.5, 30.25])
        let image = TrainingCharts.pretraining(records)
        XCTAssertEqual(image.width, TrainingCharts.panelSize.width)
        XCTAssertEqual(image.height, 2 * TrainingCharts.panelSize.height)
        let withoutKNN = TrainingCharts.pretraining(JSONLines.read(MetricsRecord.self, from: text.replacingOccurrences(of: "knn_top1", with: "other")).records.map(\.record))
        XCTAssertEqual(withoutKNN.height, TrainingCharts.panelSize.height)
    }

    func testLinearEvaluationChartHasTwoPanels() {
        let epochs = (1...5).map { LinearEvaluationEpoch(epoch: $0, learningRate: 1, trainLoss: 1 / Double($0),
                                                         top1: 50 + Double($0), top5: 90, seconds: 1) }
        let image = TrainingCharts.linearEvaluation(epochs)
        XCTAssertEqual(image.width, TrainingCharts.panelSize.width)
        XCTAssertEqual(image.height, 2 * TrainingCharts.panelSize.height)
    }
}
