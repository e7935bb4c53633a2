import TensorCore

/// CLSA's strong augmentation S (the paper's Table 1, sampled as the authors' released code
/// samples it):
///
/// 1. a `RandomResizedCrop` to the strong size `s` with scale `(0.2·s/weakSize, s/weakSize)`
///    (0.086…0.429 for 96 of 224), ratio 3/4…4/3;
/// 2. the weak augmentation's jitter (p 0.8), grayscale (p 0.2), blur (p 0.5) and flip (p 0.5);
/// 3. `rounds` rounds (5) of RandAugment: all the rounds' operations are picked first, uniformly
///    from `pool` with replacement; then each round draws its magnitude, applies its operation
///    with probability `probability` (0.5), and, when it does and the op is signed, draws the
///    sign (± with equal odds).
///
/// Magnitudes (`MagnitudeSampling`): `.levels` draws a level v uniformly from 1…9 and maps it
/// with `StrongOperation.magnitude(level:)` (the released code's `np.random.randint(1, 10)`);
/// `.continuous` draws uniformly over each op's `tableRange`, the paper's full ranges.
///
/// ```swift
/// let strong = StrongAugmentation(size: 96, weakSize: 224)   // CLSA-Single
/// var random = SeededRandom(seed: 7, epoch, sampleIndex, 2)
/// let view = strong.apply(to: image, random: &random)        // 96×96
/// ```
public struct StrongAugmentation: Equatable, Sendable {
    /// Which operations the rounds pick from.
    public enum Pool: String, Codable, CaseIterable, Sendable {
        /// The paper's 14 (with Invert): `StrongOperation.paperPool`.
        case paper
        /// The released code's 14 (Identity instead of Invert): `StrongOperation.releasedPool`.
        case released

        /// The 14 operations, in the released pool's order.
        public var operations: [StrongOperation] {
            switch self {
            case .paper: return StrongOperation.paperPool
            case .released: return StrongOperation.releasedPool
            }
        }
    }

    /// How a round's magnitude is drawn.
    public enum MagnitudeSampling: String, Codable, CaseIterable, Sendable {
        /// A level uniform in 1…9 out of 10, mapped as the released code maps it.
        case levels
        /// Uniform over the paper's Table 1 range (whole numbers for solarize and posterize).
        case continuous
    }

    /// Steps 1 and 2: the crop to the strong size and the weak colour ops and flip.
    public var base: WeakAugmentation
    public var pool: Pool
    public var magnitudes: MagnitudeSampling
    /// Rounds of RandAugment (N).
    public var rounds: Int
    /// The probability that a round applies its operation.
    public var probability: Double

    /// The strong view of side `size` paired with weak views of side `weakSize`, with CLSA's
    /// defaults (paper pool, levels, 5 rounds, p 0.5) and MoCo v2's colour ops.
    public init(size: Int, weakSize: Int, pool: Pool = .paper, magnitudes: MagnitudeSampling = .levels,
                rounds: Int = 5, probability: Double = 0.5) {
        precondition(size > 0 && size <= weakSize, "StrongAugmentation: size \(size) for weak size \(weakSize)")
        let fraction = Double(size) / Double(weakSize)
        self.init(base: WeakAugmentation(size: size, scale: (0.2 * fraction)...fraction),
                  pool: pool, magnitudes: magnitudes, rounds: rounds, probability: probability)
    }

    /// Any crop and colour configuration (`base`) followed by the rounds.
    public init(base: WeakAugmentation, pool: Pool = .paper, magnitudes: MagnitudeSampling = .levels,
                rounds: Int = 5, probability: Double = 0.5) {
        precondition(rounds >= 0, "StrongAugmentation: \(rounds) rounds")
        precondition((0...1).contains(probability), "StrongAugmentation: probability \(probability) outside 0…1")
        (self.base, self.pool, self.magnitudes, self.rounds, self.probability) = (base, pool, magnitudes, rounds, probability)
    }

    /// Output side in pixels (the view is square).
    public var size: Int { base.size }

    /// The smallest strong view side a run accepts, in pixels.
    public static let minimumSize = 4

    /// The strong side that keeps `size`'s proportion to `weakSize` when the weak views become
    /// `newWeakSize` pixels: rounded, at least `minimumSize`. CLSA-Single's 96 at 224 is 14 at
    /// 32; CLSA-Multi's 224, 192, 160, 128, 96 at 224 are 32, 27, 23, 18, 14 at 32.
    public static func proportionalSize(_ size: Int, weakSize: Int, newWeakSize: Int) -> Int {
        max(minimumSize, Int((Double(size * newWeakSize) / Double(weakSize)).rounded()))
    }

    /// One round's draws: the operation and its signed magnitude in raw units, and whether it ran.
    public struct Round: Equatable, Sendable {
        public var operation: StrongOperation
        /// Raw units, signed (0 for an op without magnitude).
        public var magnitude: Double
        /// Whether the round applies its operation (probability `probability`).
        public var applied: Bool

        public init(operation: StrongOperation, magnitude: Double, applied: Bool) {
            (self.operation, self.magnitude, self.applied) = (operation, magnitude, applied)
        }
    }

    /// The rounds' draws, in order (see the type's description for the order of draws).
    public func drawRounds(random: inout SeededRandom) -> [Round] {
        let operations = pool.operations
        let picked = (0..<rounds).map { _ in operations[random.integer(in: 0...(operations.count - 1))] }
        return picked.map { operation in
            var magnitude = drawMagnitude(operation, random: &random)
            let applied = random.bernoulli(probability)
            if applied && operation.isSigned && magnitudes == .levels && random.bernoulli(0.5) {
                magnitude = -magnitude
            }
            return Round(operation: operation, magnitude: magnitude, applied: applied)
        }
    }

    /// The unsigned level-mapped magnitude, or a signed one drawn over the Table 1 range.
    private func drawMagnitude(_ operation: StrongOperation, random: inout SeededRandom) -> Double {
        switch magnitudes {
        case .levels:
            return operation.magnitude(level: random.integer(in: 1...(StrongOperation.maximumLevel - 1)))
        case .continuous:
            guard let range = operation.tableRange else { return 0 }
            if operation.takesWholeMagnitude {
                return Double(random.integer(in: Int(range.lowerBound)...Int(range.upperBound)))
            }
            return random.uniform(range.lowerBound, range.upperBound)
        }
    }

    /// The rounds' operations applied to `view` (step 3).
    public static func apply(_ rounds: [Round], to view: RGBImage) -> RGBImage {
        rounds.reduce(view) { image, round in
            round.applied ? round.operation.apply(to: image, magnitude: round.magnitude) : image
        }
    }

    /// A random strong view of `image`: `size × size`.
    public func apply(to image: RGBImage, random: inout SeededRandom) -> RGBImage {
        let view = base.apply(to: image, random: &random)
        return Self.apply(drawRounds(random: &random), to: view)
    }
}
