import ArgumentParser
import CLSA
import Foundation

/// `clsa export`: a checkpoint's query backbone alone, under torchvision's names.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a checkpoint's backbone as safetensors with torchvision's keys (no fc.*).",
        discussion: """
            The output loads into torchvision with \
            model.load_state_dict(safetensors.torch.load_file(PATH), strict=False), which then reports \
            only fc.weight and fc.bias missing.
            """)

    @Option(help: "A pretraining checkpoint (RUN_DIR/checkpoints/step-….safetensors) or an earlier export.")
    var checkpoint: String?

    @Option(help: ArgumentHelp("Instead of --checkpoint: the untrained backbone a preset's pretraining starts from (the random-initialisation baseline).",
                               valueName: "preset"))
    var untrainedPreset: String?

    @Option(help: "With --untrained-preset: the seed of the initialisation, as `clsa pretrain --seed` takes it (default: the preset's).")
    var seed: UInt64?

    @Option(help: "The output file.")
    var out: String

    func validate() throws {
        if seed != nil && untrainedPreset == nil {
            throw ValidationError("--seed applies to --untrained-preset only (a checkpoint's backbone is what it is)")
        }
        switch (checkpoint, untrainedPreset) {
        case (let checkpoint?, nil):
            try FileArgument.requireFile(checkpoint, flag: "--checkpoint")
        case (nil, let preset?):
            guard PretrainingPreset.named(preset) != nil else {
                throw ValidationError("unknown --untrained-preset '\(preset)' (expected one of: \(PretrainingPreset.all.map(\.name).joined(separator: ", ")))")
            }
        default:
            throw ValidationError("give exactly one of --checkpoint and --untrained-preset")
        }
    }

    func run() throws {
        let metadata = try checkpoint.map { try BackboneExport.export(checkpoint: $0, to: out) }
            ?? BackboneExport.exportUntrained(untrainedConfiguration(), to: out)
        print("exported the \(metadata.architecture) backbone (width \(metadata.baseWidth), \(metadata.imageSize) px) to '\(out)'")
        if !(ResNetArchitecture(rawValue: metadata.architecture)?.loadsIntoTorchvision(baseWidth: metadata.baseWidth) ?? false) {
            FileHandle.standardError.write(Data(("warning: torchvision's resnet18/resnet50 constructors do not build a "
                + "\(metadata.architecture) of width \(metadata.baseWidth); build the same shape yourself "
                + "(width: the stem's channels; -small: conv1 3×3 stride 1, no max-pool) before loading these weights\n").utf8))
        }
    }

    /// The named preset's configuration, with `--seed` if given.
    private func untrainedConfiguration() -> PretrainingConfiguration {
        var configuration = PretrainingPreset.named(untrainedPreset!)!.configuration
        if let seed { configuration.seed = seed }
        return configuration
    }
}
