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

    @Option(help: "The output file.")
    var out: String

    func validate() throws {
        switch (checkpoint, untrainedPreset) {
        case (let checkpoint?, nil):
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: checkpoint, isDirectory: &isDirectory), !isDirectory.boolValue else {
                throw ValidationError("--checkpoint '\(checkpoint)' is not a file")
            }
        case (nil, let preset?):
            guard PretrainingPreset.named(preset) != nil else {
                throw ValidationError("unknown --untrained-preset '\(preset)' (expected one of: \(PretrainingPreset.all.map(\.name).joined(separator: ", ")))")
            }
        default:
            throw ValidationError("give exactly one of --checkpoint and --untrained-preset")
        }
    }

    func run() throws {
        let metadata: CheckpointMetadata
        if let checkpoint {
            metadata = try BackboneExport.export(checkpoint: checkpoint, to: out)
        } else {
            let configuration = PretrainingPreset.named(untrainedPreset!)!.configuration
            // The trainer initialises exactly as a run of this preset begins.
            let trainer = try CLSATrainer(configuration: configuration, stepsPerEpoch: 1)
            var untrained = CheckpointMetadata(pretraining: configuration)
            untrained.kind = .backbone
            try BackboneExport.write(trainer.query.backbone, metadata: untrained, to: out)
            metadata = untrained
        }
        print("exported the \(metadata.architecture) backbone (width \(metadata.baseWidth), \(metadata.imageSize) px) to '\(out)'")
    }
}
