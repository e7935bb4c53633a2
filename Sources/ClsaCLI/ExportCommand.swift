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
    var checkpoint: String

    @Option(help: "The output file.")
    var out: String

    func validate() throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: checkpoint, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw ValidationError("--checkpoint '\(checkpoint)' is not a file")
        }
    }

    func run() throws {
        let metadata = try BackboneExport.export(checkpoint: checkpoint, to: out)
        print("exported the \(metadata.architecture) backbone (width \(metadata.baseWidth), \(metadata.imageSize) px) to '\(out)'")
    }
}
