import ArgumentParser
import Augment
import CLSA
import Foundation

/// `clsa evaluate`: a supervised run's own classifier scored on a labelled set.
struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Score a supervised run's classifier (pretrain --objective supervised) on a labelled set; print top-1 and top-5.",
        discussion: """
            The backbone runs with BatchNorm in eval mode on the evaluation view (resize and centre crop \
            at the run's image size, its normalisation); the run's own fc layer gives the classes. No \
            probe is trained: for a linear probe of the same backbone use linear-eval.
            """)

    @Option(help: "A checkpoint of a supervised run (RUN_DIR/checkpoints/step-….safetensors).")
    var checkpoint: String

    @Option(help: "The labelled set: \(DatasetSpecifier.builtInNames.joined(separator: ", ")) or a folder of class folders.")
    var data: String

    @OptionGroup var inference: InferenceOptions

    func validate() throws {
        try FileArgument.requireFile(checkpoint, flag: "--checkpoint")
        try DatasetArgument.validate(data, flag: "--data")
    }

    func run() throws {
        inference.applyThreads()
        let dataset = try DatasetSpecifier(parsing: data).open()
        let accuracy = try SupervisedClassifierEvaluation.evaluate(
            checkpoint: checkpoint, on: dataset, batchSize: inference.batchSize, workerCount: inference.workerCount)
        print("evaluate: '\(checkpoint)' on \(data): \(accuracy.count) images")
        print(String(format: "top-1: %.2f", accuracy.top1))
        print(String(format: "top-5: %.2f", accuracy.top5))
    }
}
