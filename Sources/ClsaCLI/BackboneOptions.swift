import ArgumentParser
import Augment
import CLSA
import Foundation
import TensorCore

/// The options every command that runs a pretrained backbone shares: the checkpoint (whose
/// metadata gives the architecture, image size and normalisation), batch size, loader workers
/// and threads.
struct BackboneOptions: ParsableArguments {
    @Option(help: "A pretraining checkpoint or an exported backbone (.safetensors).")
    var checkpoint: String

    @Option(help: "Images per forward pass.")
    var batchSize = 256

    @Option(help: "Loader threads decoding and transforming images (0: load on the calling thread; default: all cores).")
    var workers: Int?

    @Option(help: "Threads for OpenBLAS and the parallel loops (default: all cores).")
    var threads: Int?

    func validate() throws {
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1, got \(batchSize)") }
        if let workers, workers < 0 {
            throw ValidationError("--workers must be at least 0 (0: load on the calling thread), got \(workers)")
        }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads)") }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: checkpoint, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw ValidationError("--checkpoint '\(checkpoint)' is not a file")
        }
    }

    /// `--workers`, or one per core.
    var workerCount: Int { workers ?? ProcessInfo.processInfo.activeProcessorCount }

    /// Applies `--threads`, then reads the backbone from `--checkpoint`.
    func pretrainedBackbone() throws -> PretrainedBackbone {
        if let threads { Threading.setThreadCount(threads) }
        return try PretrainedBackbone(checkpoint: checkpoint)
    }
}
