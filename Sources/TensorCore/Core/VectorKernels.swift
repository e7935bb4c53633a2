/// Element-wise kernels on raw float32 buffers, split across `Threading` for large counts.
/// Memory-bound: each is one pass; the chunk floor keeps small tensors on one thread.
let elementwiseMinimumChunk = 1 << 15

/// y[i] += x[i]
func addInPlace(_ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, count: Int) {
    Threading.parallelRanges(count, minimumChunk: elementwiseMinimumChunk) { r in
        for i in r { y[i] += x[i] }
    }
}

// Each kernel is spelled out rather than built from a map taking a closure: the closure is
// not inlined through the parallel loop and costs a call per element (measured 5× slower).

/// out[i] = a[i] + b[i]
func addVectors(_ out: UnsafeMutablePointer<Float>, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) {
    Threading.parallelRanges(count, minimumChunk: elementwiseMinimumChunk) { r in
        for i in r { out[i] = a[i] + b[i] }
    }
}

/// out[i] = a[i] · b[i]
func multiplyVectors(_ out: UnsafeMutablePointer<Float>, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) {
    Threading.parallelRanges(count, minimumChunk: elementwiseMinimumChunk) { r in
        for i in r { out[i] = a[i] * b[i] }
    }
}

/// out[i] = s · a[i]
package func scaleVector(_ out: UnsafeMutablePointer<Float>, _ a: UnsafePointer<Float>, _ s: Float, count: Int) {
    Threading.parallelRanges(count, minimumChunk: elementwiseMinimumChunk) { r in
        for i in r { out[i] = s * a[i] }
    }
}

/// Σ x[i], accumulated in Double in a fixed order (per-chunk partials combined in chunk order),
/// so the result is the same on every run with the same thread count.
func sumDouble(_ x: UnsafePointer<Float>, count: Int) -> Double {
    var partial = [Double](repeating: 0, count: Threading.chunkCount(count, minimumChunk: elementwiseMinimumChunk))
    partial.withUnsafeMutableBufferPointer { p in
        let out = p.baseAddress!
        Threading.parallelChunks(count, minimumChunk: elementwiseMinimumChunk) { chunk, r in
            var s = 0.0
            for i in r { s += Double(x[i]) }
            out[chunk] = s
        }
    }
    return partial.reduce(0, +)
}

/// out[k] = input[k] for k < count, eight values per step: inline, for rows too short for a
/// call to memmove to pay (im2col's and the Winograd transforms' rows of 2–56 floats).
@inline(__always)
func copyFloats(_ input: UnsafePointer<Float>, to out: UnsafeMutablePointer<Float>, count: Int) {
    let source = UnsafeRawPointer(input), destination = UnsafeMutableRawPointer(out)
    var k = 0
    while k + 8 <= count {
        destination.storeBytes(of: source.loadUnaligned(fromByteOffset: k * 4, as: SIMD8<Float>.self),
                               toByteOffset: k * 4, as: SIMD8<Float>.self)
        k += 8
    }
    if k + 4 <= count {
        destination.storeBytes(of: source.loadUnaligned(fromByteOffset: k * 4, as: SIMD4<Float>.self),
                               toByteOffset: k * 4, as: SIMD4<Float>.self)
        k += 4
    }
    while k < count { out[k] = input[k]; k += 1 }
}
