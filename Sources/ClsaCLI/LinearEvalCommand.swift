import ArgumentParser
import Augment
import CLSA
import Foundation
import Reporting

/// `clsa linear-eval`: the linear-evaluation protocol on a frozen pretrained backbone.
struct LinearEvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "linear-eval",
        abstract: "Train a linear classifier on a frozen backbone's features; print validation top-1 and top-5.",
        discussion: """
            The architecture, image size and normalisation come from the checkpoint. By default the \
            paper's protocol: RandomResizedCrop (scale 0.08-1) + flip through the frozen backbone each \
            epoch, resize + centre crop for validation, SGD lr 10 with momentum 0.9, no weight decay, \
            cosine schedule, batch 256, 100 epochs. --cached-features is a faster deviation: the training \
            features are extracted once, centre-cropped and without augmentation. At the end the backbone \
            is checked to be unchanged.
            """)

    @OptionGroup var backbone: BackboneOptions

    @OptionGroup var sets: LabelledSplitOptions

    @Option(help: "Epochs of classifier training (default: \(LinearEvaluationConfiguration().epochs)).")
    var epochs: Int?

    @Option(help: ArgumentHelp("The base learning rate, decayed by a cosine to 0 (default: \(LinearEvaluationConfiguration().learningRate)); several, comma-separated (0.01,0.1,1), train one classifier each on the same features and report the one with the best final validation top-1.",
                               valueName: "lr"))
    var lr: CommaSeparated<Double>?

    @Flag(help: "Extract the training features once (no augmentation) and train on those: fast, a deviation from the protocol.")
    var cachedFeatures = false

    @Flag(help: "Standardise the features before the linear layer (BatchNorm without affine), as MAE and MoCo v3 probe.")
    var standardizedFeatures = false

    @Option(help: "The random seed (classifier initialisation, epoch order, augmentation).")
    var seed: UInt64 = 0

    @Option(help: "A folder for linear-eval.jsonl (per-epoch records and a summary) and linear-eval.png (the curves).")
    var out: String?

    func validate() throws {
        do {
            try evaluationConfigurations().forEach { try $0.validate() }
        } catch let error as ConfigurationError {
            throw ValidationError(error.message)
        }
    }

    /// One configuration per `--lr` value (the default's alone without it).
    private func evaluationConfigurations() -> [LinearEvaluationConfiguration] {
        let base = evaluationConfiguration()
        return (lr?.values ?? [base.learningRate]).map { rate in
            var configuration = base
            configuration.learningRate = rate
            return configuration
        }
    }

    private func evaluationConfiguration() -> LinearEvaluationConfiguration {
        var configuration = LinearEvaluationConfiguration()
        if let epochs { configuration.epochs = epochs }
        configuration.batchSize = backbone.batchSize
        configuration.cachedFeatures = cachedFeatures
        configuration.standardizedFeatures = standardizedFeatures
        configuration.workerCount = backbone.workerCount
        configuration.seed = seed
        return configuration
    }

    func run() throws {
        let pretrained = try backbone.featureSource()
        let (train, validation) = try sets.open()
        let configurations = evaluationConfigurations()
        let evaluations = try configurations.map {
            try LinearEvaluation(backbone: pretrained, train: train, validation: validation, configuration: $0)
        }
        var records: JSONLinesWriter<LinearEvaluationRecord>?
        if let out {
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            records = try JSONLinesWriter(path: out + "/linear-eval.jsonl")
        }
        let protocolName = (cachedFeatures ? "cached features (no augmentation)" : "paper protocol (RandomResizedCrop + flip)")
            + (standardizedFeatures ? ", standardised features" : "")
        let first = configurations[0], rates = configurations.map(\.learningRate)
        print("linear-eval: \(pretrained.name) \(pretrained.featureDimension)-d features at \(pretrained.imageSize) px; "
              + "\(evaluations[0].classNames.count) classes, \(train.count) training and \(validation.count) validation images; "
              + "\(first.epochs) epochs, batch \(first.batchSize), lr \(rates.map { "\($0)" }.joined(separator: ", ")); \(protocolName)")
        let features = try evaluations[0].extractFeatures()
        let sweeping = evaluations.count > 1
        let results = try evaluations.map { evaluation in
            let result = try evaluation.run(features: features) { epoch in
                guard !sweeping else { return }
                print(String(format: "epoch %d/%d: lr %.4f  train loss %.4f  top-1 %.2f%%  top-5 %.2f%%  (%.1f s)",
                             epoch.epoch, first.epochs, epoch.learningRate, epoch.trainLoss, epoch.top1, epoch.top5, epoch.seconds))
                fflush(stdout)
            }
            if sweeping {
                print(String(format: "lr %g: top-1 %.2f%%  top-5 %.2f%%  (best top-1 %.2f%% at epoch %d)",
                             evaluation.configuration.learningRate, result.final.top1, result.final.top5,
                             result.best.top1, result.best.epoch))
                fflush(stdout)
            }
            return result
        }
        // The best final top-1, the first such rate on ties.
        let chosen = results.indices.reduce(0) { results[$1].final.top1 > results[$0].final.top1 ? $1 : $0 }
        let result = results[chosen], rate = rates[chosen]
        let final = result.final, best = result.best
        print(String(format: "top-1: %.2f", final.top1))
        print(String(format: "top-5: %.2f", final.top5))
        print(String(format: "summary: top-1 %.2f%% top-5 %.2f%% after %d epochs at lr %g%@ (best top-1 %.2f%% at epoch %d); ",
                     final.top1, final.top5, final.epoch, rate, sweeping ? " (best of \(rates.count))" : "", best.top1, best.epoch)
              + "\(pretrained.name) at \(pretrained.imageSize) px, \(protocolName)" + (pretrained.frozenModule == nil ? "" : "; frozen backbone unchanged"))
        for epoch in result.epochs { try records?.append(.epoch(epoch)) }
        let sweep = sweeping ? zip(rates, results).map { LinearEvaluationRecord.Summary.SweepPoint(
            learningRate: $0, top1: $1.final.top1, top5: $1.final.top5) } : nil
        try records?.append(.summary(.init(
            top1: final.top1, top5: final.top5, bestTop1: best.top1, bestEpoch: best.epoch, epochs: final.epoch,
            cachedFeatures: cachedFeatures, architecture: pretrained.name, imageSize: pretrained.imageSize,
            checkpoint: backbone.sourceDescription, trainData: sets.trainData, validationData: sets.valData, backboneUnchanged: true,
            learningRate: rate, sweep: sweep)))
        if let out {
            try PNGOutput.write(TrainingCharts.linearEvaluation(result.epochs), to: out + "/linear-eval.png")
        }
    }
}
