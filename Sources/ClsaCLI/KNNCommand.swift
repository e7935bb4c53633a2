import ArgumentParser
import Augment
import CLSA
import Foundation

/// `clsa knn`: the weighted kNN accuracy of a frozen backbone's (or raw pixels') features.
struct KNNCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "knn",
        abstract: "Classify a labelled set by weighted kNN on a frozen backbone's features (or raw pixels); print top-1.",
        discussion: """
            InstDisc's weighted kNN, as the pretraining monitor runs it: features of the evaluation views \
            (resize and centre crop), L2-normalised; each of the k most similar training images votes \
            for its class with weight exp(similarity / T).
            """)

    @OptionGroup var backbone: BackboneOptions

    @OptionGroup var sets: LabelledSplitOptions

    @Option(help: "Neighbours per image.")
    var k = 200

    @Option(help: "T, the temperature of the vote weights.")
    var temperature = 0.1

    func validate() throws {
        guard k >= 1 else { throw ValidationError("--k must be at least 1, got \(k)") }
        guard temperature > 0, temperature.isFinite else { throw ValidationError("--temperature must be positive, got \(temperature)") }
    }

    func run() throws {
        let source = try backbone.featureSource()
        let (train, validation) = try sets.open()
        let monitor = try KNNMonitor(train: train, validation: validation,
                                     imageSize: source.imageSize, normalization: source.normalization,
                                     classifier: WeightedKNN(k: k, temperature: temperature),
                                     batchSize: backbone.batchSize, workerCount: backbone.workerCount)
        let top1 = try monitor.top1Accuracy(of: source)
        print("knn: \(source.name) \(source.featureDimension)-d features at \(source.imageSize) px, k \(k), T \(temperature); "
              + "\(monitor.train.count) neighbours, \(monitor.validation.count) classified")
        print(String(format: "top-1: %.2f", top1))
    }
}
