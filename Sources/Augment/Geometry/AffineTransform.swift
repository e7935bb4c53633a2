/// The six coefficients `(a, b, c, d, e, f)` of PIL's `Image.transform(size, Image.AFFINE, data)`:
/// the map from an output pixel back to the input point it samples. Output pixel (x, y) takes the
/// input pixel at (a·(x + 0.5) + b·(y + 0.5) + c, d·(x + 0.5) + e·(y + 0.5) + f), floored — so
/// the matrix is the *inverse* of the visible motion (c = 3 moves the content 3 pixels left).
public struct AffineMatrix: Equatable, Sendable {
    public var a: Double, b: Double, c: Double
    public var d: Double, e: Double, f: Double

    /// The matrix with PIL's coefficient order: input x = a·x + b·y + c, input y = d·x + e·y + f.
    public init(_ a: Double, _ b: Double, _ c: Double, _ d: Double, _ e: Double, _ f: Double) {
        (self.a, self.b, self.c, self.d, self.e, self.f) = (a, b, c, d, e, f)
    }
}

extension RGBImage {
    /// `Image.transform(self.size, Image.AFFINE, matrix, Image.NEAREST)`: same size, black fill.
    public func affineTransformed(by matrix: AffineMatrix) -> RGBImage {
        affineTransformed(by: matrix, width: width, height: height)
    }

    /// `Image.transform((width, height), Image.AFFINE, matrix, Image.NEAREST)` exactly as Pillow
    /// computes it: output pixels whose sample point falls outside the input are black.
    ///
    /// Pillow picks one of three engines and each rounds differently, so this does the same:
    /// - no rotation or shear terms (b = d = 0): per-axis positions accumulated in Double from
    ///   the first pixel centre (a pure integer translation is an exact shift);
    /// - otherwise, when every corner maps inside ±32768: 16.16 fixed point, each coefficient
    ///   rounded once to `floor(v·65536 + 0.5)` and the position accumulated per pixel, so the
    ///   rounding error grows along a row exactly as Pillow's does;
    /// - otherwise the same walk accumulated in Double.
    public func affineTransformed(by matrix: AffineMatrix, width outputWidth: Int, height outputHeight: Int) -> RGBImage {
        let m = matrix
        precondition([m.a, m.b, m.c, m.d, m.e, m.f].allSatisfy(\.isFinite), "affineTransformed: non-finite matrix \(m)")
        precondition(outputWidth >= 0 && outputHeight >= 0,
                     "affineTransformed: negative output size \(outputWidth)×\(outputHeight)")
        var output = RGBImage(width: outputWidth, height: outputHeight)
        guard !pixels.isEmpty && !output.pixels.isEmpty else { return output }
        if m.b == 0 && m.d == 0 {
            copyAxisAligned(m, into: &output)
        } else if fixedPointCovers(m, outputWidth, outputHeight) {
            func fix(_ v: Double) -> Int { Int((v * 65536 + 0.5).rounded(.down)) }
            copyAlongLattice(origin: (fix(m.c + m.a * 0.5 + m.b * 0.5), fix(m.f + m.d * 0.5 + m.e * 0.5)),
                             columnStep: (fix(m.a), fix(m.d)), rowStep: (fix(m.b), fix(m.e)), into: &output)
        } else {
            copyAlongLattice(origin: (m.c + m.b * 0.5 + m.a * 0.5, m.f + m.e * 0.5 + m.d * 0.5),
                             columnStep: (m.a, m.d), rowStep: (m.b, m.e), into: &output)
        }
        return output
    }

    /// Pillow's test for its fixed-point engine: all four output corners map inside ±32768, so
    /// no 16.16 position can overflow 32 bits.
    private func fixedPointCovers(_ m: AffineMatrix, _ outputWidth: Int, _ outputHeight: Int) -> Bool {
        let corners = [(0, 0), (outputWidth, outputHeight), (0, outputHeight), (outputWidth, 0)]
        return corners.allSatisfy { corner in
            let x = Double(corner.0), y = Double(corner.1)
            return abs(x * m.a + y * m.b + m.c) < 32768 && abs(x * m.d + y * m.e + m.f) < 32768
        }
    }

    /// Pillow's scale engine (b = d = 0): source columns tabulated once, one source row per
    /// output row. Runs of consecutive source columns (all of them, for a translation) are
    /// copied as blocks.
    private func copyAxisAligned(_ m: AffineMatrix, into output: inout RGBImage) {
        var runs = [(target: Int, source: Int, length: Int)]()
        var xPosition = m.c + m.a * 0.5
        for x in 0..<output.width {
            let column = xPosition.latticeIndex
            xPosition += m.a
            guard column >= 0 && column < width else { continue }
            if let last = runs.last, last.target + last.length == x, last.source + last.length == column {
                runs[runs.count - 1].length += 1
            } else {
                runs.append((x, column, 1))
            }
        }
        let (outputWidth, sourceWidth) = (output.width, width)
        var yPosition = m.f + m.e * 0.5
        pixels.withUnsafeBufferPointer { source in
            output.pixels.withUnsafeMutableBufferPointer { target in
                for y in 0..<output.height {
                    let row = yPosition.latticeIndex
                    yPosition += m.e
                    guard row >= 0 && row < height else { continue }
                    let sourceRow = source.baseAddress! + row * sourceWidth * 3
                    let targetRow = target.baseAddress! + y * outputWidth * 3
                    for run in runs {
                        (targetRow + run.target * 3).update(from: sourceRow + run.source * 3, count: run.length * 3)
                    }
                }
            }
        }
    }

    /// Pillow's general affine engine: starting at `origin` (the sample point of output pixel
    /// (0, 0)), step by `columnStep` along a row and by `rowStep` from row to row, accumulating
    /// in `Coordinate` (16.16 fixed point or Double). Each row copies only the stretch of
    /// outputs whose sample lies inside the image (one stretch, as positions move monotonically).
    private func copyAlongLattice<Coordinate: LatticeCoordinate>(
        origin: (x: Coordinate, y: Coordinate), columnStep: (x: Coordinate, y: Coordinate),
        rowStep: (x: Coordinate, y: Coordinate), into output: inout RGBImage
    ) {
        let (outputWidth, outputHeight, sourceWidth, sourceHeight) = (output.width, output.height, width, height)
        pixels.withUnsafeBufferPointer { source in
            output.pixels.withUnsafeMutableBufferPointer { target in
                var rowStart = origin
                for outputRow in 0..<outputHeight {
                    defer { rowStart.x += rowStep.x; rowStart.y += rowStep.y }
                    let columns = rowStart.x.steps(inside: sourceWidth, step: columnStep.x, count: outputWidth)
                    let rows = rowStart.y.steps(inside: sourceHeight, step: columnStep.y, count: outputWidth)
                    let first = max(columns.lowerBound, rows.lowerBound), end = min(columns.upperBound, rows.upperBound)
                    guard first < end else { continue }
                    var x = rowStart.x.advanced(steps: first, by: columnStep.x)
                    var y = rowStart.y.advanced(steps: first, by: columnStep.y)
                    var t = target.baseAddress! + (outputRow * outputWidth + first) * 3
                    for _ in first..<end {
                        let s = source.baseAddress! + (y.latticeIndex &* sourceWidth &+ x.latticeIndex) &* 3
                        t[0] = s[0]; t[1] = s[1]; t[2] = s[2]
                        t += 3
                        x += columnStep.x
                        y += columnStep.y
                    }
                }
            }
        }
    }
}

/// A sample position as one of Pillow's affine engines accumulates it, and the pixel index it
/// reads back.
private protocol LatticeCoordinate: AdditiveArithmetic {
    /// The pixel index of this position (negative means outside the image).
    var latticeIndex: Int { get }
    /// Which of the `count` positions `self`, `self + step`, … (accumulated step by step) have a
    /// pixel index in `0..<length`. Accumulating a constant step is monotone, so it is one range.
    func steps(inside length: Int, step: Self, count: Int) -> Range<Int>
    /// The position after `steps` accumulated additions of `step`.
    func advanced(steps: Int, by step: Self) -> Self
}

extension Int: LatticeCoordinate {
    /// 16.16 fixed point: the integer part, rounding towards −∞ (an arithmetic shift).
    fileprivate var latticeIndex: Int { self >> 16 }

    /// Integer accumulation is exact, so the range is solved for: 0 ≤ self + k·step < length·2¹⁶.
    fileprivate func steps(inside length: Int, step: Int, count: Int) -> Range<Int> {
        let lower = 0, upper = length << 16
        let first: Int, end: Int
        if step > 0 {
            first = -Self.floorDivision(self - lower, step)
            end = -Self.floorDivision(self - upper, step)
        } else if step < 0 {
            first = Self.floorDivision(self - upper, -step) + 1
            end = Self.floorDivision(self - lower, -step) + 1
        } else {
            (first, end) = (lower..<upper).contains(self) ? (0, count) : (0, 0)
        }
        let clampedFirst = Swift.min(Swift.max(first, 0), count)
        return clampedFirst..<Swift.max(clampedFirst, Swift.min(end, count))
    }

    fileprivate func advanced(steps: Int, by step: Int) -> Int { self + steps * step }

    /// ⌊n / d⌋ for d > 0 (Swift's `/` truncates towards zero).
    private static func floorDivision(_ n: Int, _ d: Int) -> Int {
        n >= 0 ? n / d : -((-n + d - 1) / d)
    }
}

extension Double: LatticeCoordinate {
    /// Pillow's `COORD`: −1 for any negative value (so −0.5 is outside), else truncation. Values
    /// past Int32 are outside every image, as they are for Pillow.
    fileprivate var latticeIndex: Int { self < 0 ? -1 : (self < 2_147_483_648 ? Int(self) : Int.max) }

    /// Rounding makes the Double walk inexact, so it is replayed.
    fileprivate func steps(inside length: Int, step: Double, count: Int) -> Range<Int> {
        var position = self, first = count
        for k in 0..<count {
            let inside = position.latticeIndex >= 0 && position.latticeIndex < length
            if inside && first == count { first = k }
            if !inside && first != count { return first..<k }
            position += step
        }
        return first..<count
    }

    fileprivate func advanced(steps: Int, by step: Double) -> Double {
        var position = self
        for _ in 0..<steps { position += step }
        return position
    }
}
