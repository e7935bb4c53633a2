/// Where a pretraining run stands: what the next step is and where its batch starts.
public struct RunPosition: Codable, Equatable, Sendable {
    /// 0-based epoch that the next step belongs to.
    public var epoch: Int
    /// Optimiser steps completed.
    public var step: Int
    /// The `DataLoader` position within `epoch` that the next batch starts at.
    public var epochPosition: Int

    public init(epoch: Int, step: Int, epochPosition: Int) {
        self.epoch = epoch
        self.step = step
        self.epochPosition = epochPosition
    }

    /// The start of a run.
    public static let start = RunPosition(epoch: 0, step: 0, epochPosition: 0)
}
