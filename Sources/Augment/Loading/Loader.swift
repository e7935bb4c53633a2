import Foundation
import TensorCore

/// Batches of normalised, transformed images from a dataset, decoded and transformed ahead of
/// the consumer by worker threads (or on the consumer's thread, with no workers).
///
/// **Determinism.** An epoch visits the dataset in a permutation seeded by (seed, epoch), or in
/// index order without shuffling. Every random draw of the transform comes from
/// `SeededRandom(seed:, epoch, datasetIndex, view)`. A batch is the next `batchSize` samples in
/// epoch order that loaded successfully, so its pixels, labels and composition depend on
/// neither the worker count nor thread timing, and a run resumed at a batch's `endPosition`
/// (`makeIterator(epoch:startPosition:)`) sees exactly the batches it would have seen.
///
/// **Data parallelism.** With a `shard`, the loader reads one rank's part of every global batch
/// of `batchSize · shard.count` samples (`DataShard`), and `batchSize` is the rank's share; a
/// sample that fails to load is replaced from the rank's share of the epoch's tail. A rank may
/// form one batch more than another from that tail: a data-parallel run ends each epoch at the
/// first step for which any rank lacks a full batch (`PretrainingRun`).
///
/// **Bad input.** A sample whose image cannot be loaded (`ImageDecodingError`) is skipped with
/// one warning line naming the file, sent to `warningSink` (stderr by default) when the consumer
/// reaches it, and counted in `EpochIterator.skippedCount`. With `strict`, the first such error
/// is thrown from `next()` instead and the epoch ends.
///
/// **Threads.** Workers load and transform samples (one `ImageFileReader` each) at most
/// `prefetchCount` samples ahead of the consumer; the consumer's `next()` writes the views of
/// a batch into its float tensors (three table look-ups per pixel). With `workerCount` 0 (as
/// PyTorch's `num_workers=0`) no thread is started: `next()` loads and transforms each sample
/// itself, with one reader made on first use, and gives the same batches.
///
///     let loader = DataLoader(dataset: train, transform: policy, batchSize: 256,
///                             dropLast: true, seed: 42, workerCount: 2)
///     let epoch = loader.makeIterator(epoch: 3)
///     while let batch = try epoch.next() {
///         train(batch.views[0], batch.views[1])    // [N, 3, H, W] each
///     }
///     print(epoch.skippedCount)
public struct DataLoader: Sendable {
    /// Receives one warning line (no trailing newline).
    public typealias WarningSink = @Sendable (String) -> Void

    public let dataset: any ImageDataset
    public let transform: any SampleTransform
    /// Samples per batch (the last one may be shorter unless `dropLast`); with a `shard`, per rank.
    public let batchSize: Int
    /// The rank's part of each global batch (`.whole` for one process).
    public let shard: DataShard
    /// Whether each epoch visits the samples in a seeded random order (else in index order).
    public let shuffle: Bool
    /// Whether a last batch shorter than `batchSize` is dropped (pretraining) or kept.
    public let dropLast: Bool
    public let seed: UInt64
    /// Worker threads decoding and transforming samples (0: load on the calling thread).
    public let workerCount: Int
    /// How many samples the workers may work ahead of the consumer (the reorder window; unused
    /// without workers).
    public let prefetchCount: Int
    /// Whether a sample that fails to load ends the epoch with an error instead of a warning.
    public let strict: Bool
    public let normalization: Normalization
    public let warningSink: WarningSink

    /// Writes each warning line to stderr.
    public static let standardErrorSink: WarningSink = { line in
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    /// - Parameter prefetchCount: default `2 · batchSize` (at least `2 · workerCount`).
    public init(dataset: any ImageDataset, transform: any SampleTransform, batchSize: Int,
                shuffle: Bool = true, dropLast: Bool = false, seed: UInt64 = 0, workerCount: Int = 1,
                prefetchCount: Int? = nil, strict: Bool = false, normalization: Normalization = .imageNet,
                shard: DataShard = .whole, warningSink: @escaping WarningSink = DataLoader.standardErrorSink) {
        precondition(batchSize >= 1, "DataLoader: batch size must be at least 1, got \(batchSize)")
        precondition(workerCount >= 0, "DataLoader: worker count must be at least 0, got \(workerCount)")
        if let prefetchCount {
            precondition(prefetchCount >= 1, "DataLoader: prefetch count must be at least 1, got \(prefetchCount)")
        }
        precondition(!transform.viewShapes.isEmpty, "DataLoader: the transform makes no views")
        self.dataset = dataset
        self.transform = transform
        self.batchSize = batchSize
        self.shuffle = shuffle
        self.dropLast = dropLast
        self.seed = seed
        self.workerCount = workerCount
        self.prefetchCount = prefetchCount ?? max(2 * batchSize, 2 * workerCount)
        self.strict = strict
        self.normalization = normalization
        self.shard = shard
        self.warningSink = warningSink
    }

    /// Batches per epoch when no sample is skipped (of each rank, with a shard).
    public var nominalBatchCount: Int {
        let global = batchSize * shard.count
        return dropLast ? dataset.count / global : (dataset.count + global - 1) / global
    }

    /// The dataset indices in the order epoch `epoch` visits them: a Fisher–Yates permutation
    /// drawn from `SeededRandom(seed:, epoch)` when shuffling, else `0..<count`.
    public func order(epoch: Int) -> [Int] {
        precondition(epoch >= 0, "DataLoader: negative epoch \(epoch)")
        var order = Array(0..<dataset.count)
        guard shuffle else { return order }
        var random = SeededRandom(seed: seed, UInt64(epoch))
        for i in stride(from: order.count - 1, to: 0, by: -1) {
            order.swapAt(i, random.integer(in: 0...i))
        }
        return order
    }

    /// Starts the workers (if any) for epoch `epoch` at `startPosition` (an index into
    /// `order(epoch:)`, such as a batch's `endPosition`; 0 for the whole epoch; with a shard of
    /// several ranks, rounded up to a global batch).
    public func makeIterator(epoch: Int, startPosition: Int = 0) -> EpochIterator {
        precondition((0...dataset.count).contains(startPosition),
                     "DataLoader: start position \(startPosition) outside 0...\(dataset.count)")
        return EpochIterator(loader: self, epoch: epoch, startPosition: startPosition)
    }

    /// One batch: `views[v]` is `[count, 3, H_v, W_v]` (normalised, `transform.viewShapes[v]`).
    public struct Batch {
        public let views: [Tensor]
        /// Each sample's class, nil for an unlabelled dataset.
        public let labels: [Int?]
        /// Each sample's dataset index.
        public let indices: [Int]
        public let epoch: Int
        /// The epoch position just after this batch's last sample: where a resumed run restarts
        /// (with a shard of several ranks, `DataShard.resumePosition`: a run resumes at the
        /// largest of its ranks').
        public let endPosition: Int

        /// Samples in the batch.
        public var count: Int { indices.count }
    }

    /// A decoded sample's views, ready to be copied into a batch.
    struct PreparedSample: Sendable {
        let index: Int
        let label: Int?
        let views: [RGBImage]
    }

    /// Loads and transforms dataset image `index`, or the decoding error naming its file.
    func prepareSample(_ index: Int, epoch: Int, reader: ImageFileReader) -> Result<PreparedSample, ImageDecodingError> {
        let image: RGBImage
        do {
            image = try dataset.loadImage(at: index, reader: reader)
        } catch var error as ImageDecodingError {
            if error.file == nil { error.file = dataset.name(at: index) }
            return .failure(error)
        } catch {
            return .failure(ImageDecodingError(file: dataset.name(at: index), reason: .unreadable("\(error)")))
        }
        let views = transform.views(of: image) { view in
            SeededRandom(seed: seed, UInt64(epoch), UInt64(index), UInt64(view))
        }
        let shapes = transform.viewShapes
        precondition(views.count == shapes.count
                     && zip(views, shapes).allSatisfy { $0.height == $1.height && $0.width == $1.width },
                     "DataLoader: \(type(of: transform)) made views \(views.map { "\($0.width)×\($0.height)" }) "
                     + "of \(dataset.name(at: index)), its viewShapes are \(shapes.map { "\($0.width)×\($0.height)" })")
        return .success(PreparedSample(index: index, label: dataset.label(at: index), views: views))
    }

    /// One epoch's batches, in order. Not thread-safe: use it from one consumer thread.
    ///
    /// Stopping early is safe: `cancel()` or releasing the iterator stops the workers (after the
    /// sample each is working on) and waits for their threads to exit.
    public final class EpochIterator {
        public let epoch: Int
        /// The epoch position of the next sample to read (after a batch, its `endPosition`).
        public var position: Int {
            loader.shard.resumePosition(afterReading: streamIndex, total: loader.dataset.count, localBatch: loader.batchSize)
        }
        /// How many of the shard's positions have been read.
        private var streamIndex: Int
        /// Samples skipped so far because their image failed to load.
        public private(set) var skippedCount = 0
        private let loader: DataLoader
        private let prefetcher: OrderedPrefetcher<Result<PreparedSample, ImageDecodingError>>
        private var finished = false

        init(loader: DataLoader, epoch: Int, startPosition: Int) {
            self.loader = loader
            self.epoch = epoch
            let order = loader.order(epoch: epoch)
            let positions = loader.shard.positions(total: order.count, localBatch: loader.batchSize)
            streamIndex = loader.shard.streamIndex(resumingAt: startPosition, total: order.count, localBatch: loader.batchSize)
            prefetcher = OrderedPrefetcher(positions: streamIndex..<positions.count, window: loader.prefetchCount,
                                           workerCount: loader.workerCount, name: "DataLoader epoch \(epoch)") {
                let reader = ImageFileReader()
                return { index in loader.prepareSample(order[positions[index]], epoch: epoch, reader: reader) }
            }
        }

        deinit { prefetcher.cancel() }

        /// The next batch, waiting for the workers (or loading it here, without workers); nil at
        /// the end of the epoch (a short last batch is returned unless `dropLast`).
        /// - Throws: with `strict`, the `ImageDecodingError` of the first sample that failed to
        ///   load (naming its file); the epoch then ends.
        public func next() throws -> Batch? {
            guard !finished else { return nil }
            var samples = [PreparedSample]()
            samples.reserveCapacity(loader.batchSize)
            while samples.count < loader.batchSize, let output = prefetcher.next() {
                switch output {
                case .success(let sample):
                    samples.append(sample)
                case .failure(let error):
                    if loader.strict {
                        streamIndex = prefetcher.nextToRead
                        cancel()
                        throw error
                    }
                    skippedCount += 1
                    loader.warningSink("warning: \(error); sample skipped")
                }
            }
            streamIndex = prefetcher.nextToRead
            guard !samples.isEmpty, samples.count == loader.batchSize || !loader.dropLast else {
                cancel()
                return nil
            }
            let views = loader.transform.viewShapes.indices.map { view in
                loader.normalization.batch(samples.map { $0.views[view] })
            }
            return Batch(views: views, labels: samples.map(\.label), indices: samples.map(\.index),
                         epoch: epoch, endPosition: position)
        }

        /// Ends the epoch early: stops the workers and waits for their threads to exit. Later
        /// `next()` calls return nil.
        public func cancel() {
            finished = true
            prefetcher.cancel()
        }

        /// Worker threads still running (for tests).
        var runningWorkerCount: Int { prefetcher.runningWorkerCount }
    }
}
