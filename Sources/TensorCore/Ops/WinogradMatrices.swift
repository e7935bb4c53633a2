/// The 1-D matrices of the Winograd variants (`WinogradTransforms`), applied to n values, four
/// tiles at once, one SIMD4 lane per tile. A 2-D transform is one such product over every row
/// of a tile and then one over every column (`WinogradDataTransforms`). Each product reads its
/// inputs through `x` (x(k): the k-th value) before it writes any output through `y` (y(k, v):
/// the k-th value is v), so the two may be the same values.
protocol WinogradMatrices {
    /// m: a tile's outputs per side.
    static var outputTile: Int { get }
    /// Bᵀ·x for n values of x, n outputs.
    static func timesBT(_ x: (Int) -> SIMD4<Float>, _ y: (Int, SIMD4<Float>) -> Void)
    /// B·x for n values of x, n outputs: the adjoint of `timesBT`.
    static func timesB(_ x: (Int) -> SIMD4<Float>, _ y: (Int, SIMD4<Float>) -> Void)
    /// Aᵀ·x for n values of x, m outputs.
    static func timesAT(_ x: (Int) -> SIMD4<Float>, _ y: (Int, SIMD4<Float>) -> Void)
    /// A·x for m values of x, n outputs: the adjoint of `timesAT`.
    static func timesA(_ x: (Int) -> SIMD4<Float>, _ y: (Int, SIMD4<Float>) -> Void)
}

extension WinogradMatrices {
    /// n = m + 2: a tile's input patch per side.
    static var inputTile: Int { outputTile + 2 }
}

/// F(2×2, 3×3):
///
///     Bᵀ = | 1  0 −1  0 |    G = | 1    0    0  |    Aᵀ = | 1  1  1  0 |
///          | 0  1  1  0 |        | ½    ½    ½  |         | 0  1 −1 −1 |
///          | 0 −1  1  0 |        | ½   −½    ½  |
///          | 0  1  0 −1 |        | 0    0    1  |
enum WinogradF2Matrices: WinogradMatrices {
    static var outputTile: Int { 2 }

    @inline(__always)
    static func timesBT(_ x: (Int) -> SIMD4<Float>, _ y: (Int, SIMD4<Float>) -> Void) {
        let (x0, x1, x2, x3) = (x(0), x(1), x(2), x(3))
        y(0, x0 - x2)
        y(1, x1 + x2)
        y(2, x2 - x1)
        y(3, x1 - x3)
    }

    @inline(__always)
    static func timesB(_ x: (Int) -> SIMD4<Float>, _ y: (Int, SIMD4<Float>) -> Void) {
        let (x0, x1, x2, x3) = (x(0), x(1), x(2), x(3))
        y(0, x0)
        y(1, x1 - x2 + x3)
        y(2, x1 + x2 - x0)
        y(3, -x3)
    }

    @inline(__always)
    static func timesAT(_ x: (Int) -> SIMD4<Float>, _ y: (Int, SIMD4<Float>) -> Void) {
        let (x0, x1, x2, x3) = (x(0), x(1), x(2), x(3))
        y(0, x0 + x1 + x2)
        y(1, x1 - x2 - x3)
    }

    @inline(__always)
    static func timesA(_ x: (Int) -> SIMD4<Float>, _ y: (Int, SIMD4<Float>) -> Void) {
        let (u0, u1) = (x(0), x(1))
        y(0, u0)
        y(1, u0 + u1)
        y(2, u0 - u1)
        y(3, -u1)
    }
}

/// F(4×4, 3×3), Lavin & Gray's matrices:
///
///     Bᵀ = | 4  0 −5  0  1  0 |    G = |  ¼     0     0  |    Aᵀ = | 1  1  1  1  1  0 |
///          | 0 −4 −4  1  1  0 |        | −⅙    −⅙    −⅙  |         | 0  1 −1  2 −2  0 |
///          | 0  4 −4 −1  1  0 |        | −⅙     ⅙    −⅙  |         | 0  1  1  4  4  0 |
///          | 0 −2 −1  2  1  0 |        | 1⁄24  1⁄12   ⅙  |         | 0  1 −1  8 −8  1 |
///          | 0  2 −1 −2  1  0 |        | 1⁄24 −1⁄12   ⅙  |
///          | 0  4  0 −5  0  1 |        |  0     0     1  |
enum WinogradF4Matrices: WinogradMatrices {
    static var outputTile: Int { 4 }

    @inline(__always)
    static func timesBT(_ x: (Int) -> SIMD4<Float>, _ y: (Int, SIMD4<Float>) -> Void) {
        let (x0, x1, x2, x3, x4, x5) = (x(0), x(1), x(2), x(3), x(4), x(5))
        let (a, b) = (x4 - 4 * x2, 4 * x1 - x3)
        let (c, d) = (x4 - x2, 2 * (x1 - x3))
        y(0, 4 * x0 - 5 * x2 + x4)
        y(1, a - b)
        y(2, a + b)
        y(3, c - d)
        y(4, c + d)
        y(5, 4 * x1 - 5 * x3 + x5)
    }

    @inline(__always)
    static func timesB(_ x: (Int) -> SIMD4<Float>, _ y: (Int, SIMD4<Float>) -> Void) {
        let (x0, x1, x2, x3, x4, x5) = (x(0), x(1), x(2), x(3), x(4), x(5))
        let (s, d) = (x1 + x2, x1 - x2)
        let (s2, d2) = (x3 + x4, 2 * (x3 - x4))
        y(0, 4 * x0)
        y(1, 4 * (x5 - d) - d2)
        y(2, -5 * x0 - 4 * s - s2)
        y(3, d + d2 - 5 * x5)
        y(4, x0 + s + s2)
        y(5, x5)
    }

    @inline(__always)
    static func timesAT(_ x: (Int) -> SIMD4<Float>, _ y: (Int, SIMD4<Float>) -> Void) {
        let (x0, x1, x2, x3, x4, x5) = (x(0), x(1), x(2), x(3), x(4), x(5))
        let (s, d) = (x1 + x2, x1 - x2)
        let (s2, d2) = (x3 + x4, x3 - x4)
        y(0, x0 + s + s2)
        y(1, d + 2 * d2)
        y(2, s + 4 * s2)
        y(3, d + 8 * d2 + x5)
    }

    @inline(__always)
    static func timesA(_ x: (Int) -> SIMD4<Float>, _ y: (Int, SIMD4<Float>) -> Void) {
        let (u0, u1, u2, u3) = (x(0), x(1), x(2), x(3))
        let (even, odd) = (u0 + u2, u1 + u3)
        let (even2, odd2) = (u0 + 4 * u2, 2 * u1 + 8 * u3)
        y(0, u0)
        y(1, even + odd)
        y(2, even - odd)
        y(3, even2 + odd2)
        y(4, even2 - odd2)
        y(5, u3)
    }
}
