import Augment
import TensorCore

/// Features of images through a frozen backbone: BatchNorm in eval mode (running statistics),
/// no autograd graph, pooled features before any classifier.
///
/// ```swift
/// let extractor = FeatureExtractor(backbone: backbone, batchSize: 256, workerCount: 4)
/// let val = try extractor.extract(validationSet)      // [N, 2048], evaluation transform
/// ```
public struct FeatureExtractor {
    /// A frozen backbone, or raw pixels.
    public let backbone: any FeatureSource
    /// Images per forward pass.
    public var batchSize: Int
    /// Loader threads decoding and transforming images (0: load on the calling thread).
    public var workerCount: Int
    /// Where the loader's "sample skipped" warnings go.
    public var warningSink: DataLoader.WarningSink

    public init(backbone: any FeatureSource, batchSize: Int = 256, workerCount: Int = 1,
                warningSink: @escaping DataLoader.WarningSink = DataLoader.standardErrorSink) {
        precondition(batchSize >= 1 && workerCount >= 0,
                     "FeatureExtractor: batch size \(batchSize) must be positive and worker count \(workerCount) non-negative")
        self.backbone = backbone
        self.batchSize = batchSize
        self.workerCount = workerCount
        self.warningSink = warningSink
    }

    /// images [N, 3, H, W] (normalised) → features [N, featureDimension] (`FeatureSource.features(of:)`).
    public func features(of images: Tensor) -> Tensor {
        backbone.features(of: images)
    }

    /// A loader over `dataset` with this extractor's batch size, workers and the backbone's
    /// normalisation; the last short batch is kept.
    public func loader(for dataset: any ImageDataset, transform: any SampleTransform, shuffle: Bool,
                       seed: UInt64 = 0) -> DataLoader {
        DataLoader(dataset: dataset, transform: transform, batchSize: batchSize, shuffle: shuffle,
                   dropLast: false, seed: seed, workerCount: workerCount,
                   normalization: backbone.normalization, warningSink: warningSink)
    }

    /// The features of every image of `dataset`, in index order, through the backbone's
    /// evaluation transform. Images that fail to load are skipped with a warning; `indices` says
    /// which dataset image each row is.
    /// - Throws: `EvaluationError.noLoadableImages` when no image could be loaded; with a
    ///   strict loader, the first `ImageDecodingError`.
    public func extract(_ dataset: any ImageDataset) throws -> ExtractedFeatures {
        let loader = loader(for: dataset, transform: backbone.evaluationTransform, shuffle: false)
        let epoch = loader.makeIterator(epoch: 0)
        var parts: [Tensor] = [], labels: [Int?] = [], indices: [Int] = []
        while let batch = try epoch.next() {
            parts.append(features(of: batch.views[0]))
            labels += batch.labels
            indices += batch.indices
        }
        guard !parts.isEmpty else { throw EvaluationError.noLoadableImages(skipped: epoch.skippedCount) }
        return ExtractedFeatures(features: concatenate(parts), labels: labels, indices: indices,
                                 skippedCount: epoch.skippedCount)
    }
}

/// Features of a dataset, one row per loaded image.
public struct ExtractedFeatures {
    /// [N, D].
    public let features: Tensor
    /// Each row's class, nil for an unlabelled dataset.
    public let labels: [Int?]
    /// Each row's dataset index (increasing; gaps where images were skipped).
    public let indices: [Int]
    /// Images that failed to load and have no row.
    public let skippedCount: Int

    /// Rows.
    public var count: Int { indices.count }

    /// The labels, or nil when any row is unlabelled.
    public var classLabels: [Int]? {
        let known = labels.compactMap { $0 }
        return known.count == labels.count ? known : nil
    }
}
