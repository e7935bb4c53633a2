import CLSA
import TensorCore

/// Throughput of a ResNet on synthetic data: inference forward passes, and full supervised
/// training steps (forward, cross-entropy, backward, SGD with momentum and weight decay).
package enum ResNetBenchmark {
    /// FLOPs of one ResNet-50 training image at 224×224: forward 4.09 GMAC, backward twice
    /// that, 2 FLOPs per multiply-add (the figure the project's speed targets use).
    package static let resnet50TrainingFlopsPerImage = 3 * 4.09e9 * 2

    package struct Result: Sendable {
        /// Images per second of `features` + `fc` in evaluation mode without gradients.
        package let forwardImagesPerSecond: Double
        /// Images per second of whole training steps.
        package let trainingImagesPerSecond: Double
    }

    /// Measures `configuration` at `batchSize` images of `imageSize`² pixels; each figure is
    /// the best of `repetitions` timed runs after `warmups` untimed ones.
    package static func measure(_ configuration: ResNetConfiguration, batchSize: Int, imageSize: Int,
                               warmups: Int, repetitions: Int) -> Result {
        var random = SeededRandom(seed: 0)
        let classes = configuration.classCount ?? 1000
        var withClassifier = configuration
        withClassifier.classCount = classes
        let net = ResNet(withClassifier, random: &random)
        let images = Tensor(shape: [batchSize, 3, imageSize, imageSize],
                            scalars: (0..<(batchSize * 3 * imageSize * imageSize)).map { _ in Float(random.normal()) })
        let labels = (0..<batchSize).map { _ in random.integer(in: 0...(classes - 1)) }
        let optimizer = SGD(parameters: net.namedParameters, learningRate: 0.01, momentum: 0.9, weightDecay: 1e-4)

        net.setTraining(false)
        let forward = RepeatedTiming.measure(warmups: warmups, repetitions: repetitions) {
            _ = withoutGradients { net(images) }
        }
        net.setTraining(true)
        let training = RepeatedTiming.measure(warmups: warmups, repetitions: repetitions) {
            optimizer.zeroGradients()
            crossEntropy(logits: net(images), targets: labels).backward()
            optimizer.step()
        }
        return Result(forwardImagesPerSecond: Double(batchSize) / forward.best,
                      trainingImagesPerSecond: Double(batchSize) / training.best)
    }
}
