import ArgumentParser
import CLSA
import Foundation

@main
struct Clsa: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clsa",
        abstract: "Self-supervised pretraining with CLSA (Contrastive Learning with Stronger Augmentations) on the CPU.",
        version: CLSAVersion.string,
        subcommands: [BenchCommand.self, BenchDataCommand.self, AugmentCommand.self, AugmentPreviewCommand.self,
                      LinearEvalCommand.self, EmbedCommand.self])

    /// Switches OpenBLAS to the CPU's best kernel (possibly re-executing the process), then
    /// parses the command line and runs the command. Usage errors (bad flags, `ValidationError`)
    /// exit with status 2, runtime errors with 1.
    static func main() {
        BLASKernelRelaunch.performIfNeeded()
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            // ArgumentParser's own status for usage errors is EX_USAGE (64).
            guard exitCode(for: error) == .validationFailure else { exit(withError: error) }
            FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
            Foundation.exit(2)
        }
    }
}
