/// The ranks of a data-parallel run no longer hold the same parameters, momentum buffers or
/// queue after a step (`RunSettings.checkReplicas`): their collectives disagree, or a rank's
/// memory was corrupted. The run stops before saving that step.
public struct ReplicaMismatchError: Error, CustomStringConvertible {
    /// The step after which the checksums differed.
    public let step: Int
    /// Ranks in the run.
    public let ranks: Int

    public var description: String {
        "after step \(step), the \(ranks) processes hold different parameters, momentum buffers or queues "
            + "(`checkReplicas`); the last checkpoint is the last state known to agree"
    }
}
