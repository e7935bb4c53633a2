import Augment
import Foundation

/// A line chart of named series of (x, y) points, rendered into an `RGBImage` with axes, tick
/// labels at round values, light grid lines, a legend and a title, in the project's own
/// `BitmapFont` (text appears in capitals). Non-finite points are left out; a series with one
/// point is drawn as a dot.
///
/// ```swift
/// var chart = LineChart(title: "Pretraining loss", xLabel: "step", yLabel: "loss")
/// chart.series.append(.init(name: "L", points: losses))
/// let png = try PNGCodec.encode(chart.render(width: 720, height: 360))
/// ```
public struct LineChart {
    public struct Series {
        public var name: String
        public var points: [(x: Double, y: Double)]
        /// nil: the palette colour of the series' position.
        public var color: ChartColor?

        public init(name: String, points: [(x: Double, y: Double)], color: ChartColor? = nil) {
            self.name = name
            self.points = points
            self.color = color
        }
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [Series]

    /// Colours given to series in order (blue, orange, green, red, purple, brown).
    public static let palette = [ChartColor(31, 119, 180), ChartColor(255, 127, 14), ChartColor(44, 160, 44),
                                 ChartColor(214, 39, 40), ChartColor(148, 103, 189), ChartColor(140, 86, 75)]

    public init(title: String, xLabel: String, yLabel: String, series: [Series] = []) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
    }

    /// Margins around the plot area, in pixels: room for the title and y label above, tick
    /// labels left and below, and the x label under those.
    static let margins = (left: 64, right: 24, top: 44, bottom: 44)

    /// The plot area (inside the axes) of a `width × height` rendering: x, y of its top-left
    /// pixel and its size.
    public static func plotArea(width: Int, height: Int) -> (x: Int, y: Int, width: Int, height: Int) {
        (margins.left, margins.top, width - margins.left - margins.right, height - margins.top - margins.bottom)
    }

    /// The chart as a `width × height` image on white (at least 160 × 120).
    public func render(width: Int = 720, height: Int = 360) -> RGBImage {
        precondition(width >= 160 && height >= 120, "LineChart: \(width)×\(height) is too small (at least 160×120)")
        var canvas = Canvas(width: width, height: height, background: .white)
        let area = Self.plotArea(width: width, height: height)
        canvas.text(title, x: (width - BitmapFont.width(of: title, scale: 2)) / 2, y: 8, .black, scale: 2)
        canvas.text(yLabel, x: 6, y: area.y - 14, .axisGray)
        canvas.text(xLabel, x: area.x + (area.width - BitmapFont.width(of: xLabel)) / 2,
                    y: area.y + area.height + 26, .axisGray)

        let finite = series.map { $0.points.filter { $0.x.isFinite && $0.y.isFinite } }
        let all = finite.flatMap { $0 }
        guard !all.isEmpty else {
            canvas.outline(x: area.x, y: area.y, width: area.width, height: area.height, .axisGray)
            let note = "no data"
            canvas.text(note, x: area.x + (area.width - BitmapFont.width(of: note)) / 2,
                        y: area.y + area.height / 2, .axisGray)
            return canvas.image
        }
        let xAxis = AxisScale(values: all.map(\.x), padding: 0)
        let yAxis = AxisScale(values: all.map(\.y), padding: 0.05)
        func pixelX(_ x: Double) -> Int {
            area.x + Int(((x - xAxis.lower) / (xAxis.upper - xAxis.lower) * Double(area.width - 1)).rounded())
        }
        func pixelY(_ y: Double) -> Int {
            area.y + area.height - 1 - Int(((y - yAxis.lower) / (yAxis.upper - yAxis.lower) * Double(area.height - 1)).rounded())
        }

        for tick in yAxis.ticks {
            let y = pixelY(tick)
            canvas.fill(x: area.x, y: y, width: area.width, height: 1, .gridGray)
            canvas.fill(x: area.x - 4, y: y, width: 4, height: 1, .axisGray)
            let label = yAxis.label(tick)
            canvas.text(label, x: area.x - 7 - BitmapFont.width(of: label), y: y - 3, .black)
        }
        for tick in xAxis.ticks {
            let x = pixelX(tick)
            canvas.fill(x: x, y: area.y, width: 1, height: area.height, .gridGray)
            canvas.fill(x: x, y: area.y + area.height, width: 1, height: 4, .axisGray)
            let label = xAxis.label(tick)
            canvas.text(label, x: x - BitmapFont.width(of: label) / 2, y: area.y + area.height + 8, .black)
        }
        canvas.outline(x: area.x, y: area.y, width: area.width, height: area.height, .axisGray)

        for (index, points) in finite.enumerated() {
            let color = color(of: index)
            let pixels = points.map { (pixelX($0.x), pixelY($0.y)) }
            if pixels.count == 1 {
                canvas.fill(x: pixels[0].0 - 2, y: pixels[0].1 - 2, width: 5, height: 5, color)
            }
            for (from, to) in zip(pixels, pixels.dropFirst()) {
                canvas.line(from.0, from.1, to.0, to.1, color, thickness: 2)
            }
        }
        drawLegend(on: &canvas, area: area)
        return canvas.image
    }

    private func color(of index: Int) -> ChartColor {
        series[index].color ?? Self.palette[index % Self.palette.count]
    }

    /// Series names with a sample of their line, boxed in the plot area's top-right corner.
    private func drawLegend(on canvas: inout Canvas, area: (x: Int, y: Int, width: Int, height: Int)) {
        guard !series.isEmpty else { return }
        let rowHeight = 12, sample = 16
        let boxWidth = 8 + sample + 6 + (series.map { BitmapFont.width(of: $0.name) }.max() ?? 0) + 8
        let boxHeight = 6 + rowHeight * series.count
        let left = area.x + area.width - boxWidth - 6, top = area.y + 6
        canvas.fill(x: left, y: top, width: boxWidth, height: boxHeight, .white)
        canvas.outline(x: left, y: top, width: boxWidth, height: boxHeight, .axisGray)
        for (index, entry) in series.enumerated() {
            let y = top + 5 + index * rowHeight
            canvas.fill(x: left + 8, y: y + 2, width: sample, height: 2, color(of: index))
            canvas.text(entry.name, x: left + 8 + sample + 6, y: y, .black)
        }
    }

    /// A vertical stack of chart images (e.g. losses above accuracies), on white.
    public static func stacked(_ images: [RGBImage]) -> RGBImage {
        PreviewGrid(rows: images.map { [$0] }, gap: 0, background: (255, 255, 255)).image()
    }
}

/// An axis range and its ticks at round values: steps of 1, 2 or 5 × 10ⁿ, at most six ticks.
struct AxisScale {
    let lower: Double
    let upper: Double
    let step: Double

    /// - Parameter padding: the fraction of the data's span added on each side before rounding.
    init(values: [Double], padding: Double) {
        var low = values.min()!, high = values.max()!
        if low == high {
            let half = low == 0 ? 1 : abs(low) * 0.1
            low -= half
            high += half
        }
        let span = high - low
        // Padding never crosses zero: losses and accuracies stay on their side of it.
        low = low >= 0 ? max(0, low - span * padding) : low - span * padding
        high = high <= 0 ? min(0, high + span * padding) : high + span * padding
        let rough = (high - low) / 5
        let magnitude = pow(10, floor(log10(rough)))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= rough }!
        self.step = step
        // Only the padded side is widened to a tick; an unpadded axis keeps the data's extent.
        lower = padding > 0 ? floor(low / step) * step : low
        upper = padding > 0 ? ceil(high / step) * step : high
    }

    /// The multiples of `step` within the range.
    var ticks: [Double] {
        let first = ceil(lower / step - 1e-9), last = floor(upper / step + 1e-9)
        guard first <= last else { return [] }
        return stride(from: first, through: last, by: 1).map { $0 * step }
    }

    /// `value` with as many decimals as the step needs, thousands as "K" when the step allows.
    func label(_ value: Double) -> String {
        if step >= 1000 && max(abs(lower), abs(upper)) >= 10000 && value != 0 {
            return Self.format(value / 1000, decimals: step.truncatingRemainder(dividingBy: 1000) == 0 ? 0 : 1) + "K"
        }
        return Self.format(value, decimals: step >= 1 ? 0 : min(6, Int(ceil(-log10(step) - 1e-9))))
    }

    private static func format(_ value: Double, decimals: Int) -> String {
        let text = String(format: "%.\(decimals)f", value)
        // "-0" and "-0.0" come from values a rounding error below zero.
        return text.allSatisfy({ "-0.".contains($0) }) ? String(text.drop(while: { $0 == "-" })) : text
    }
}
