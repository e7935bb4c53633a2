import Foundation

/// Learning rate per step: an optional linear warm-up from 0 to the base rate over
/// `warmupSteps`, then cosine decay to `finalRate` at `totalSteps` (SGDR without restarts,
/// as MoCo v2 and CLSA use, here per step rather than per epoch).
public struct CosineSchedule: Equatable, Sendable {
    public let baseRate: Double
    public let totalSteps: Int
    public let warmupSteps: Int
    public let finalRate: Double

    public init(baseRate: Double, totalSteps: Int, warmupSteps: Int = 0, finalRate: Double = 0) {
        precondition(totalSteps > 0, "CosineSchedule: totalSteps must be positive, got \(totalSteps)")
        precondition(warmupSteps >= 0 && warmupSteps < totalSteps,
                     "CosineSchedule: warmupSteps \(warmupSteps) must lie in 0..<\(totalSteps)")
        self.baseRate = baseRate
        self.totalSteps = totalSteps
        self.warmupSteps = warmupSteps
        self.finalRate = finalRate
    }

    /// The rate for 0-based `step` (steps past the end keep `finalRate`).
    public func rate(atStep step: Int) -> Double {
        if step < warmupSteps {
            return baseRate * Double(step + 1) / Double(warmupSteps)
        }
        let progress = min(1, Double(step - warmupSteps) / Double(totalSteps - warmupSteps))
        return finalRate + (baseRate - finalRate) * 0.5 * (1 + cos(Double.pi * progress))
    }
}
