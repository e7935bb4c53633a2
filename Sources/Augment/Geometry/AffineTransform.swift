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

    /// Pillow's scale engine (b = d = 0): a column table of source x, one source row per output row.
    private func copyAxisAligned(_ m: AffineMatrix, into output: inout RGBImage) {
        var sourceColumn = [Int](repeating: -1, count: output.width)
        var xPosition = m.c + m.a * 0.5
        for x in 0..<output.width {
            let column = xPosition.latticeIndex
            if column >= 0 && column < width { sourceColumn[x] = column }
            xPosition += m.a
        }
        let (outputWidth, sourceWidth) = (output.width, width)
        var yPosition = m.f + m.e * 0.5
        pixels.withUnsafeBufferPointer { source in
            output.pixels.withUnsafeMutableBufferPointer { target in
                sourceColumn.withUnsafeBufferPointer { columns in
                    for y in 0..<output.height {
                        let row = yPosition.latticeIndex
                        yPosition += m.e
                        guard row >= 0 && row < height else { continue }
                        let sourceRow = source.baseAddress! + row * sourceWidth * 3
                        let targetRow = target.baseAddress! + y * outputWidth * 3
                        for x in 0..<outputWidth where columns[x] >= 0 {
                            let s = sourceRow + columns[x] * 3, t = targetRow + x * 3
                            t[0] = s[0]; t[1] = s[1]; t[2] = s[2]
                        }
                    }
                }
            }
        }
    }

    /// Pillow's general affine engine: starting at `origin` (the sample point of output pixel
    /// (0, 0)), step by `columnStep` along a row and by `rowStep` from row to row, accumulating
    /// in `Coordinate` (16.16 fixed point or Double).
    private func copyAlongLattice<Coordinate: LatticeCoordinate>(
        origin: (x: Coordinate, y: Coordinate), columnStep: (x: Coordinate, y: Coordinate),
        rowStep: (x: Coordinate, y: Coordinate), into output: inout RGBImage
    ) {
        let (outputWidth, outputHeight, sourceWidth, sourceHeight) = (output.width, output.height, width, height)
        pixels.withUnsafeBufferPointer { source in
            output.pixels.withUnsafeMutableBufferPointer { target in
                var rowStart = origin
                for y in 0..<outputHeight {
                    var position = rowStart
                    var t = target.baseAddress! + y * outputWidth * 3
                    for _ in 0..<outputWidth {
                        let column = position.x.latticeIndex, row = position.y.latticeIndex
                        if column >= 0 && column < sourceWidth && row >= 0 && row < sourceHeight {
                            let s = source.baseAddress! + (row * sourceWidth + column) * 3
                            t[0] = s[0]; t[1] = s[1]; t[2] = s[2]
                        }
                        position.x += columnStep.x
                        position.y += columnStep.y
                        t += 3
                    }
                    rowStart.x += rowStep.x
                    rowStart.y += rowStep.y
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
}

extension Int: LatticeCoordinate {
    /// 16.16 fixed point: the integer part, rounding towards −∞ (an arithmetic shift).
    fileprivate var latticeIndex: Int { self >> 16 }
}

extension Double: LatticeCoordinate {
    /// Pillow's `COORD`: −1 for any negative value (so −0.5 is outside), else truncation. Values
    /// past Int32 are outside every image, as they are for Pillow.
    fileprivate var latticeIndex: Int { self < 0 ? -1 : (self < 2_147_483_648 ? Int(self) : Int.max) }
}
