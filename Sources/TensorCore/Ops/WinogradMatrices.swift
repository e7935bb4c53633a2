/// The 1-D matrices of the Winograd variants (`WinogradTransforms`), applied in place to n
/// values of a `LaneGrid` (first, first + step, …), four tiles at once, one SIMD4 lane per
/// tile. A 2-D transform is one such product over every row of a tile and then one over every
/// column (`WinogradDataTransforms`).
protocol WinogradMatrices {
    /// m: a tile's outputs per side.
    static var outputTile: Int { get }
    /// Bᵀ·x for the n values of x.
    static func timesBT(_ grid: LaneGrid, _ first: Int, _ step: Int)
    /// B·x for the n values of x: the adjoint of `timesBT`.
    static func timesB(_ grid: LaneGrid, _ first: Int, _ step: Int)
    /// Aᵀ·x for the n values of x, into the first m of them.
    static func timesAT(_ grid: LaneGrid, _ first: Int, _ step: Int)
    /// A·x for the first m values, into all n: the adjoint of `timesAT`.
    static func timesA(_ grid: LaneGrid, _ first: Int, _ step: Int)
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
    static func timesBT(_ grid: LaneGrid, _ first: Int, _ step: Int) {
        let (x0, x1, x2, x3) = (grid[first], grid[first + step], grid[first + 2 * step], grid[first + 3 * step])
        grid[first] = x0 - x2
        grid[first + step] = x1 + x2
        grid[first + 2 * step] = x2 - x1
        grid[first + 3 * step] = x1 - x3
    }

    @inline(__always)
    static func timesB(_ grid: LaneGrid, _ first: Int, _ step: Int) {
        let (x0, x1, x2, x3) = (grid[first], grid[first + step], grid[first + 2 * step], grid[first + 3 * step])
        grid[first] = x0
        grid[first + step] = x1 - x2 + x3
        grid[first + 2 * step] = x1 + x2 - x0
        grid[first + 3 * step] = -x3
    }

    @inline(__always)
    static func timesAT(_ grid: LaneGrid, _ first: Int, _ step: Int) {
        let (x0, x1, x2, x3) = (grid[first], grid[first + step], grid[first + 2 * step], grid[first + 3 * step])
        grid[first] = x0 + x1 + x2
        grid[first + step] = x1 - x2 - x3
    }

    @inline(__always)
    static func timesA(_ grid: LaneGrid, _ first: Int, _ step: Int) {
        let (u0, u1) = (grid[first], grid[first + step])
        grid[first + step] = u0 + u1
        grid[first + 2 * step] = u0 - u1
        grid[first + 3 * step] = -u1
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
    private static func six(_ grid: LaneGrid, _ first: Int, _ step: Int)
        -> (SIMD4<Float>, SIMD4<Float>, SIMD4<Float>, SIMD4<Float>, SIMD4<Float>, SIMD4<Float>) {
        (grid[first], grid[first + step], grid[first + 2 * step], grid[first + 3 * step],
         grid[first + 4 * step], grid[first + 5 * step])
    }

    @inline(__always)
    static func timesBT(_ grid: LaneGrid, _ first: Int, _ step: Int) {
        let x = six(grid, first, step)
        let (a, b) = (x.4 - 4 * x.2, 4 * x.1 - x.3)
        let (c, d) = (x.4 - x.2, 2 * (x.1 - x.3))
        grid[first] = 4 * x.0 - 5 * x.2 + x.4
        grid[first + step] = a - b
        grid[first + 2 * step] = a + b
        grid[first + 3 * step] = c - d
        grid[first + 4 * step] = c + d
        grid[first + 5 * step] = 4 * x.1 - 5 * x.3 + x.5
    }

    @inline(__always)
    static func timesB(_ grid: LaneGrid, _ first: Int, _ step: Int) {
        let x = six(grid, first, step)
        let (s, d) = (x.1 + x.2, x.1 - x.2)
        let (s2, d2) = (x.3 + x.4, 2 * (x.3 - x.4))
        grid[first] = 4 * x.0
        grid[first + step] = 4 * (x.5 - d) - d2
        grid[first + 2 * step] = -5 * x.0 - 4 * s - s2
        grid[first + 3 * step] = d + d2 - 5 * x.5
        grid[first + 4 * step] = x.0 + s + s2
    }

    @inline(__always)
    static func timesAT(_ grid: LaneGrid, _ first: Int, _ step: Int) {
        let x = six(grid, first, step)
        let (s, d) = (x.1 + x.2, x.1 - x.2)
        let (s2, d2) = (x.3 + x.4, x.3 - x.4)
        grid[first] = x.0 + s + s2
        grid[first + step] = d + 2 * d2
        grid[first + 2 * step] = s + 4 * s2
        grid[first + 3 * step] = d + 8 * d2 + x.5
    }

    @inline(__always)
    static func timesA(_ grid: LaneGrid, _ first: Int, _ step: Int) {
        let (u0, u1, u2, u3) = (grid[first], grid[first + step], grid[first + 2 * step], grid[first + 3 * step])
        let (even, odd) = (u0 + u2, u1 + u3)
        let (even2, odd2) = (u0 + 4 * u2, 2 * u1 + 8 * u3)
        grid[first + step] = even + odd
        grid[first + 2 * step] = even - odd
        grid[first + 3 * step] = even2 + odd2
        grid[first + 4 * step] = even2 - odd2
        grid[first + 5 * step] = u3
    }
}
