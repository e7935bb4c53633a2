import ArgumentParser
import CLSA

@main
struct Clsa: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clsa",
        abstract: "Self-supervised pretraining with CLSA (Contrastive Learning with Stronger Augmentations) on the CPU.",
        version: CLSAVersion.string,
        subcommands: [BenchCommand.self])

    /// Switches OpenBLAS to the CPU's best kernel (possibly re-executing the process), then
    /// parses the command line and runs the command.
    static func main() {
        BLASKernelRelaunch.performIfNeeded()
        main(nil)
    }
}
