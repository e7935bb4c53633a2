import TensorCore

/// A model and its optimiser that `PretrainingRun` steps through batches, monitors and
/// checkpoints: `CLSATrainer` (CLSA, MoCo v2 and the ablations) or `SupervisedTrainer` (the
/// same backbone trained with labels, a study's ceiling).
public protocol PretrainingTrainer: AnyObject {
    /// The run's configuration; `objective` says which trainer it needs (`makePretrainingTrainer`).
    var configuration: PretrainingConfiguration { get }
    /// Optimiser steps per epoch (fixes the learning-rate schedule).
    var stepsPerEpoch: Int { get }
    /// Optimiser steps of the whole run.
    var totalSteps: Int { get }
    /// Optimiser steps completed so far; set only when a checkpoint is restored.
    var completedSteps: Int { get set }
    var optimizer: SGD { get }
    /// The backbone being learned: what the kNN monitor measures and `clsa export` writes.
    var backbone: ResNet { get }
    /// Every parameter and buffer a checkpoint holds besides the optimiser's momentum buffers
    /// and the queue, under its checkpoint name (the backbone's under torchvision's names).
    var modelState: [StateEntry] { get }
    /// The queue of negative keys, for the objectives that keep one.
    var negativeKeys: KeyQueue? { get }
    /// What every rank of a data-parallel run holds alike after each step: the parameters (of
    /// the key encoder too), the optimiser's momentum buffers and the queue; not the BatchNorm
    /// running statistics, which are each rank's own.
    var replicatedState: [Tensor] { get }
    /// One optimisation step on a batch: `views` holds one [N, 3, H, W] tensor per view of
    /// `configuration.views()`, `labels` each sample's class (nil when unlabelled).
    /// - Throws: `NonFiniteLossError` before any parameter changes if the loss is not finite;
    ///   `ConfigurationError` when the objective needs labels that the batch lacks.
    func step(views: [Tensor], labels: [Int?]) throws -> StepMetrics
}

/// The random stream (with the run's seed) that initialises a trainer's network: the same for
/// every objective, so the arms of a study start from one initialisation.
let modelInitializationStream: UInt64 = 0x4D4F_4445_4C

/// The trainer `configuration.objective` needs on this rank of `processGroup`: a
/// `SupervisedTrainer` with `classCount` classes for `.supervised`, a `CLSATrainer` otherwise.
/// - Throws: `ConfigurationError` for a bad setting, or a supervised run without classes.
public func makePretrainingTrainer(configuration: PretrainingConfiguration, stepsPerEpoch: Int, classCount: Int,
                                   processGroup: any ProcessGroup = SingleProcessGroup()) throws -> any PretrainingTrainer {
    if configuration.objective == .supervised {
        return try SupervisedTrainer(configuration: configuration, stepsPerEpoch: stepsPerEpoch, classCount: classCount,
                                     processGroup: processGroup)
    }
    return try CLSATrainer(configuration: configuration, stepsPerEpoch: stepsPerEpoch, processGroup: processGroup)
}
