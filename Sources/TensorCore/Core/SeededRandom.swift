import Foundation

/// A deterministic random stream keyed by a seed and any number of coordinates — for example
/// `(seed, epoch, sampleIndex, view)` — so that a draw never depends on thread timing, worker
/// count or the point where a run was resumed.
///
/// The key is folded through SplitMix64 into the state of a xoshiro256** generator. Streams with
/// different keys are statistically independent; the same key always gives the same stream.
public struct SeededRandom: RandomNumberGenerator {
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    /// A stream for `seed` and the coordinates `keys` (order matters).
    public init(seed: UInt64, _ keys: UInt64...) {
        self.init(seed: seed, keys: keys)
    }

    /// A stream for `seed` and the coordinates `keys` (order matters).
    public init(seed: UInt64, keys: [UInt64]) {
        var mix = seed
        var h = SeededRandom.splitMix(&mix)
        for key in keys {
            mix = h ^ (key &* 0x9E37_79B9_7F4A_7C15)
            h = SeededRandom.splitMix(&mix)
        }
        var state = h
        s0 = SeededRandom.splitMix(&state)
        s1 = SeededRandom.splitMix(&state)
        s2 = SeededRandom.splitMix(&state)
        s3 = SeededRandom.splitMix(&state)
    }

    /// Restores a stream from `state` (as returned by `state`).
    public init(state: [UInt64]) {
        precondition(state.count == 4, "SeededRandom: state needs 4 words, got \(state.count)")
        (s0, s1, s2, s3) = (state[0], state[1], state[2], state[3])
    }

    /// The generator's full state, for checkpoints.
    public var state: [UInt64] { [s0, s1, s2, s3] }

    public mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = s3 << 45 | s3 >> 19
        return result
    }

    /// Uniform in [0, 1) with 53 random bits.
    public mutating func uniform() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// Uniform in [lower, upper).
    public mutating func uniform(_ lower: Double, _ upper: Double) -> Double {
        lower + (upper - lower) * uniform()
    }

    /// Standard normal (Box–Muller; one value per call).
    public mutating func normal() -> Double {
        var u = uniform()
        while u == 0 { u = uniform() }
        let v = uniform()
        return (-2 * log(u)).squareRoot() * cos(2 * Double.pi * v)
    }

    /// True with probability `p`.
    public mutating func bernoulli(_ p: Double) -> Bool { uniform() < p }

    /// Uniform integer in `range` (unbiased).
    public mutating func integer(in range: ClosedRange<Int>) -> Int {
        Int.random(in: range, using: &self)
    }

    private static func splitMix(_ x: inout UInt64) -> UInt64 {
        x &+= 0x9E37_79B9_7F4A_7C15
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

