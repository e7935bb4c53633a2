import ArgumentParser
import CLSA
import Foundation

@main
struct Clsa: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clsa",
        abstract: "Self-supervised pretraining with CLSA (Contrastive Learning with Stronger Augmentations) on the CPU.",
        version: CLSAVersion.string,
        subcommands: [PretrainCommand.self, LinearEvalCommand.self, EvaluateCommand.self, KNNCommand.self, KNNChartCommand.self, EmbedCommand.self, ExportCommand.self,
                      AugmentCommand.self, AugmentPreviewCommand.self, BenchCommand.self, BenchDataCommand.self])

    /// Parses the command line, switches OpenBLAS to the best kernel for the CPU and the
    /// command's workload (possibly re-executing the process), then runs the command. An error
    /// is one line on stderr, `clsa: …`, naming flags where the library names fields
    /// (`FlagNames`); usage errors (bad flags, `ValidationError`) exit with status 2, runtime
    /// errors with 1.
    static func main() {
        do {
            var command = try parseAsRoot()
            BLASKernelRelaunch.performIfNeeded(workload: (command as? BLASWorkloadCommand)?.blasWorkload ?? .general)
            try command.run()
        } catch {
            switch exitCode(for: error) {
            case .validationFailure:
                // ArgumentParser's own status for usage errors is EX_USAGE (64).
                FileHandle.standardError.write(Data("clsa: \(FlagNames.translate(message(for: error)))\n".utf8))
                Foundation.exit(2)
            case .failure where !(error is ExitCode):
                FileHandle.standardError.write(Data("clsa: \(FlagNames.translate("\(error)"))\n".utf8))
                Foundation.exit(1)
            default:
                // --help, --version and explicit exit codes.
                exit(withError: error)
            }
        }
    }
}
