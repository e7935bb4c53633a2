import Augment
import TensorCore

/// The supervised arm of a study: the same backbone, initialisation, weak view T, optimiser and
/// schedule as a CLSA run, trained with labels instead — a linear classifier (`fc`) on the pooled
/// features and cross-entropy to each image's class. No key encoder, queue or strong views.
///
/// Checkpoint names: the backbone's (torchvision's) and `fc.weight` [classes, features],
/// `fc.bias` [classes]; `clsa export` keeps the backbone alone.
public final class SupervisedTrainer: PretrainingTrainer {
    public let configuration: PretrainingConfiguration
    /// The backbone with its classifier `fc`.
    public let network: ResNet
    public let optimizer: SGD
    public let schedule: CosineSchedule
    public let stepsPerEpoch: Int
    /// The ranks of a data-parallel run (one process by default).
    public let processGroup: any ProcessGroup
    public var completedSteps = 0
    /// The gradients in one buffer for their average over the ranks.
    private var gradientBuffer: Tensor?

    /// On several ranks of `processGroup`, each holds `batchSize / size` images of a step, its
    /// BatchNorm normalises them alone (`configuration.resolving(ranks:)`), and the gradients are
    /// averaged over the ranks before the SGD step.
    /// - Throws: `ConfigurationError` for a bad setting, fewer than 2 classes, or no full batch per epoch.
    public init(configuration given: PretrainingConfiguration, stepsPerEpoch: Int, classCount: Int,
                processGroup: any ProcessGroup = SingleProcessGroup()) throws {
        let configuration = processGroup.isDistributed ? try given.resolving(ranks: processGroup.size) : given
        try configuration.validate()
        try ConfigurationError.require(configuration.objective == .supervised,
                                       "`objective` must be supervised for SupervisedTrainer, got \(configuration.objective.rawValue)")
        guard classCount >= 2 else {
            throw ConfigurationError("`objective` supervised needs labelled training data with at least 2 classes, got \(classCount)")
        }
        guard stepsPerEpoch >= 1 else {
            throw ConfigurationError("the dataset gives no full batch of \(configuration.batchSize) images per epoch")
        }
        self.configuration = configuration
        self.stepsPerEpoch = stepsPerEpoch
        self.processGroup = processGroup
        var backbone = try configuration.backbone()
        backbone.classCount = classCount
        var random = SeededRandom(seed: configuration.seed, modelInitializationStream)
        network = ResNet(backbone, random: &random)
        network.batchNormLayers.forEach { $0.groups = configuration.queryGroups / processGroup.size }
        optimizer = SGD(parameters: network.namedParameters, learningRate: Float(configuration.effectiveLearningRate),
                        momentum: Float(configuration.momentum), weightDecay: Float(configuration.weightDecay))
        schedule = CosineSchedule(baseRate: configuration.effectiveLearningRate, totalSteps: configuration.epochs * stepsPerEpoch,
                                  warmupSteps: configuration.warmupEpochs * stepsPerEpoch)
    }

    public var totalSteps: Int { schedule.totalSteps }
    public var backbone: ResNet { network }
    public var modelState: [StateEntry] { network.state }
    public var negativeKeys: KeyQueue? { nil }
    public var replicatedState: [Tensor] { network.parameters + optimizer.momentumBuffers.compactMap { $0 } }
    /// Classes of the classifier.
    public var classCount: Int { network.fc!.weight.shape[0] }

    /// One step of cross-entropy on view T (`views[0]`); `StepMetrics.loss` is the
    /// cross-entropy (the mean over the ranks), its contrastive and divergence terms 0.
    public func step(views: [Tensor], labels: [Int?]) throws -> StepMetrics {
        let stepNumber = completedSteps + 1
        let targets = try labels.enumerated().map { sample, label in
            guard let label, (0..<classCount).contains(label) else {
                throw ConfigurationError("`objective` supervised needs a class for every image; sample \(sample) of step "
                                         + "\(stepNumber) has \(label.map { "class \($0) of \(classCount)" } ?? "none")")
            }
            return label
        }
        let learningRate = schedule.rate(atStep: completedSteps)
        optimizer.learningRate = Float(learningRate)
        network.setTraining(true)
        let loss = crossEntropy(logits: network(views[CLSAViews.keyView]), targets: targets)
        let meanLoss = processGroup.mean([loss.item])[0]
        guard meanLoss.isFinite else { throw NonFiniteLossError(step: stepNumber, loss: meanLoss) }
        optimizer.zeroGradients()
        loss.backward()
        processGroup.averageGradients(of: optimizer.parameters.map(\.tensor), buffer: &gradientBuffer)
        optimizer.step()
        completedSteps = stepNumber
        return StepMetrics(step: stepNumber, loss: meanLoss, lossContrastive: 0, lossDivergence: 0,
                           learningRate: learningRate)
    }
}
