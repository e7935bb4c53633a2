import ArgumentParser
import CLSA

@main
struct Clsa: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clsa",
        abstract: "Self-supervised pretraining with CLSA (Contrastive Learning with Stronger Augmentations) on the CPU.",
        version: CLSAVersion.string,
        subcommands: [])
}
