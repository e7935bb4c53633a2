import ArgumentParser
import Augment
import CLSA
import Foundation
import TensorCore

/// The options every command that reads features shares: the checkpoint (whose metadata gives
/// the architecture, image size and normalisation) or raw pixels, and the `InferenceOptions`.
struct BackboneOptions: ParsableArguments {
    @Option(help: "A pretraining checkpoint or an exported backbone (.safetensors).")
    var checkpoint: String?

    @Option(help: ArgumentHelp("Instead of --checkpoint: the pixels of SIZE×SIZE evaluation views as the features (the no-network floor).",
                               valueName: "size"))
    var rawPixels: Int?

    @Option(help: "With --raw-pixels: the statistics that normalise (centre and scale) the pixels.")
    var pixelStatistics: PixelStatistics = .imagenet

    @OptionGroup var inference: InferenceOptions

    func validate() throws {
        switch (checkpoint, rawPixels) {
        case (let checkpoint?, nil):
            try FileArgument.requireFile(checkpoint, flag: "--checkpoint")
        case (nil, let size?):
            guard size >= 1 else { throw ValidationError("--raw-pixels must be at least 1, got \(size)") }
        default:
            throw ValidationError("give exactly one of --checkpoint and --raw-pixels")
        }
        if rawPixels == nil, pixelStatistics != .imagenet {
            throw ValidationError("--pixel-statistics applies to --raw-pixels only (a checkpoint's metadata gives its normalisation)")
        }
    }

    /// `--batch-size`.
    var batchSize: Int { inference.batchSize }
    /// `--workers`, or one per core.
    var workerCount: Int { inference.workerCount }

    /// What `--checkpoint` or `--raw-pixels` names, for messages.
    var sourceDescription: String { checkpoint ?? "raw pixels at \(rawPixels!) px" }

    /// Applies `--threads`, then reads the backbone from `--checkpoint` (or takes the raw pixels).
    func featureSource() throws -> any FeatureSource {
        inference.applyThreads()
        if let rawPixels { return RawPixels(imageSize: rawPixels, normalization: pixelStatistics.normalization) }
        return try PretrainedBackbone(checkpoint: checkpoint!)
    }
}

/// `--pixel-statistics`: the per-channel statistics raw pixels are normalised with.
enum PixelStatistics: String, CaseIterable, ExpressibleByArgument {
    case imagenet
    case fashionMNIST = "fashion-mnist"

    var normalization: Normalization {
        switch self {
        case .imagenet: return .imageNet
        case .fashionMNIST: return .fashionMNIST
        }
    }
}

/// How a command runs a network over a dataset: images per forward pass, loader workers, threads.
struct InferenceOptions: ParsableArguments {
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
    }

    /// `--workers`, or one per core.
    var workerCount: Int { workers ?? ProcessInfo.processInfo.activeProcessorCount }

    /// Sets the thread count `--threads` asks for (all cores when absent).
    func applyThreads() {
        if let threads { Threading.setThreadCount(threads) }
    }
}
