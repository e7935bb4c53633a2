import Foundation
import TensorCore
import XCTest
@testable import Augment

/// A seeded test transform: view v is a nearest-neighbour resample to `viewShapes[v]`, flipped
/// horizontally on a coin toss, with a random byte added to every value — so every pixel of a
/// view depends on the view's random stream.
private struct RandomStampTransform: SampleTransform {
    var viewShapes: [(height: Int, width: Int)] { [(4, 5), (3, 3)] }

    func views(of image: RGBImage, random: (Int) -> SeededRandom) -> [RGBImage] {
        viewShapes.enumerated().map { view, shape in
            var random = random(view)
            let flip = random.bernoulli(0.5)
            var output = RGBImage(width: shape.width, height: shape.height)
            for y in 0..<shape.height {
                for x in 0..<shape.width {
                    let sourceX = (flip ? shape.width - 1 - x : x) * image.width / shape.width
                    let sourceY = y * image.height / shape.height
                    for channel in 0..<3 {
                        output.pixels[(y * shape.width + x) * 3 + channel] =
                            image.pixels[(sourceY * image.width + sourceX) * 3 + channel] &+ UInt8(truncatingIfNeeded: random.next())
                    }
                }
            }
            return output
        }
    }
}

/// Counts the images it is applied to (across worker threads), notes the threads it ran on,
/// and passes the images through.
private final class CountingTransform: SampleTransform, @unchecked Sendable {
    private let lock = NSLock()
    private var calls = 0
    private var callingThreads = Set<pthread_t>()
    private let height: Int, width: Int

    /// For images of `height × width`.
    init(height: Int, width: Int) { (self.height, self.width) = (height, width) }

    var count: Int { lock.withLock { calls } }

    /// The threads it has been applied on.
    var threads: Set<pthread_t> { lock.withLock { callingThreads } }

    var viewShapes: [(height: Int, width: Int)] { [(height, width)] }

    func views(of image: RGBImage, random: (Int) -> SeededRandom) -> [RGBImage] {
        lock.withLock {
            calls += 1
            callingThreads.insert(pthread_self())
        }
        return [image]
    }
}

/// A batch with its tensors' bits, comparable with `==`.
private struct BatchRecord: Equatable {
    let viewBits: [[UInt32]]
    let viewShapes: [[Int]]
    let labels: [Int?]
    let indices: [Int]
    let endPosition: Int

    init(_ batch: DataLoader.Batch) {
        viewBits = batch.views.map { $0.scalars.map(\.bitPattern) }
        viewShapes = batch.views.map(\.shape)
        labels = batch.labels
        indices = batch.indices
        endPosition = batch.endPosition
    }
}

final class DataLoaderTests: XCTestCase {
    private var root: URL!

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("DataLoaderTests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try FileManager.default.removeItem(at: root)
    }

    /// `count` 7×6 RGB images with varied bytes and labels `i % 4`, in memory.
    private func idxDataset(count: Int) throws -> IDXDataset {
        let size = 6 * 7 * 3
        let images = IDXFile(dimensions: [count, 6, 7, 3], values: (0..<(count * size)).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ $0 / size) })
        let labels = IDXFile(dimensions: [count], values: (0..<count).map { UInt8($0 % 4) })
        return try IDXDataset(images: images, labels: labels, classNames: ["a", "b", "c", "d"], name: "test")
    }

    private func records(_ loader: DataLoader, epoch: Int = 0, startPosition: Int = 0) throws -> [BatchRecord] {
        let iterator = loader.makeIterator(epoch: epoch, startPosition: startPosition)
        var records = [BatchRecord]()
        while let batch = try iterator.next() { records.append(BatchRecord(batch)) }
        return records
    }

    private func loader(_ dataset: any ImageDataset, transform: any SampleTransform = RandomStampTransform(),
                        batchSize: Int = 4, shuffle: Bool = true, dropLast: Bool = false, workers: Int = 1,
                        prefetch: Int? = nil, strict: Bool = false, shard: DataShard = .whole,
                        warnings: WarningLog = WarningLog()) -> DataLoader {
        DataLoader(dataset: dataset, transform: transform, batchSize: batchSize, shuffle: shuffle, dropLast: dropLast,
                   seed: 7, workerCount: workers, prefetchCount: prefetch, strict: strict, shard: shard,
                   warningSink: warnings.sink)
    }

    /// Two ranks loading 2 images each per step give, stacked in rank order, the batches of one
    /// process at batch 4 — the same images, pixels, labels and order — and resume where it does.
    func testShardsStackedInRankOrderAreTheOneProcessBatches() throws {
        let dataset = try idxDataset(count: 23)
        let whole = try records(loader(dataset, dropLast: true))
        let ranks = try (0..<2).map { try records(loader(dataset, batchSize: 2, dropLast: true, shard: DataShard(rank: $0, count: 2))) }
        XCTAssertEqual(whole.count, 5)
        // Rank 0 also forms a batch of its share of the tail (positions 20 and 22), there to replace
        // images that fail to load; rank 1 has one tail image, so a run ends the epoch after 5 steps.
        XCTAssertEqual(ranks.map(\.count), [6, 5])
        for (step, batch) in whole.enumerated() {
            let parts = ranks.map { $0[step] }
            XCTAssertEqual(parts[0].indices + parts[1].indices, batch.indices, "step \(step)")
            XCTAssertEqual(parts[0].labels + parts[1].labels, batch.labels, "step \(step)")
            for view in batch.viewBits.indices {
                XCTAssertEqual(parts[0].viewBits[view] + parts[1].viewBits[view], batch.viewBits[view], "step \(step)")
            }
            XCTAssertEqual(parts.map(\.endPosition), [batch.endPosition, batch.endPosition], "step \(step)")
        }
        let resumed = try records(loader(dataset, batchSize: 2, dropLast: true, shard: DataShard(rank: 1, count: 2)),
                                  startPosition: whole[1].endPosition)
        XCTAssertEqual(resumed, Array(ranks[1].dropFirst(2)))
    }

    func testBatchesAreIdenticalForAnyWorkerCount() throws {
        let dataset = try idxDataset(count: 23)
        let reference = try records(loader(dataset, workers: 1))
        XCTAssertEqual(reference.map(\.indices.count), [4, 4, 4, 4, 4, 3])
        XCTAssertEqual(reference.map(\.viewShapes), Array(repeating: [[4, 3, 4, 5], [4, 3, 3, 3]], count: 5) + [[[3, 3, 4, 5], [3, 3, 3, 3]]])
        for workers in [0, 2, 3] {
            for prefetch in [nil, 1, 3] {
                XCTAssertEqual(try records(loader(dataset, workers: workers, prefetch: prefetch)), reference,
                               "\(workers) workers, prefetch \(prefetch.map(String.init) ?? "default")")
            }
        }
    }

    /// Each sample's views are the transform's with the stream (seed, epoch, index, view),
    /// normalised with ImageNet's statistics; labels and indices follow the epoch order.
    func testBatchContentsFollowTheEpochOrderAndKeyedStreams() throws {
        let dataset = try idxDataset(count: 10)
        let loader = loader(dataset, batchSize: 3, workers: 2)
        let order = loader.order(epoch: 5)
        let iterator = loader.makeIterator(epoch: 5)
        var position = 0
        while let batch = try iterator.next() {
            let indices = Array(order[position..<(position + batch.count)])
            XCTAssertEqual(batch.indices, indices)
            XCTAssertEqual(batch.labels, indices.map { $0 % 4 })
            XCTAssertEqual(batch.epoch, 5)
            let views = try indices.map { index in
                RandomStampTransform().views(of: try dataset.loadImage(at: index)) { view in
                    SeededRandom(seed: 7, 5, UInt64(index), UInt64(view))
                }
            }
            for view in 0..<2 {
                let expected = Normalization.imageNet.batch(views.map { $0[view] })
                XCTAssertEqual(batch.views[view].scalars.map(\.bitPattern), expected.scalars.map(\.bitPattern))
            }
            position += batch.count
            XCTAssertEqual(batch.endPosition, position)
        }
        XCTAssertEqual(position, 10)
    }

    func testEpochsShuffleDifferently() throws {
        let dataset = try idxDataset(count: 50)
        let loader = loader(dataset)
        let orders = (0..<3).map { loader.order(epoch: $0) }
        for order in orders { XCTAssertEqual(order.sorted(), Array(0..<50)) }
        XCTAssertNotEqual(orders[0], orders[1])
        XCTAssertNotEqual(orders[1], orders[2])
        XCTAssertEqual(loader.order(epoch: 1), orders[1], "the order is a function of (seed, epoch)")
        XCTAssertEqual(self.loader(dataset, shuffle: false).order(epoch: 3), Array(0..<50))
        XCTAssertNotEqual(try records(loader, epoch: 0).first, try records(loader, epoch: 1).first)
    }

    /// Restarting at any batch's end position gives exactly the remaining batches.
    func testResumeAtMidEpochPositionGivesTheRemainingBatches() throws {
        let dataset = try idxDataset(count: 23)
        let loader = loader(dataset, batchSize: 5, workers: 2)
        let full = try records(loader, epoch: 2)
        for (done, batch) in full.enumerated() {
            XCTAssertEqual(try records(loader, epoch: 2, startPosition: batch.endPosition), Array(full[(done + 1)...]))
        }
    }

    func testDropLastDropsTheShortBatch() throws {
        let dataset = try idxDataset(count: 10)
        let kept = loader(dataset, batchSize: 4)
        let dropped = loader(dataset, batchSize: 4, dropLast: true)
        XCTAssertEqual(try records(kept).map(\.indices.count), [4, 4, 2])
        XCTAssertEqual(try records(dropped).map(\.indices.count), [4, 4])
        XCTAssertEqual(try records(dropped), Array(try records(kept).prefix(2)))
        XCTAssertEqual([kept.nominalBatchCount, dropped.nominalBatchCount], [3, 2])
        XCTAssertEqual(try records(loader(dataset, batchSize: 5, dropLast: true)).count, 2, "an exact multiple keeps every batch")
    }

    /// Writes `count` good 5×4 PNGs `good0.png`… plus a zero-byte, a truncated and a text file
    /// named .png; returns the bad files' paths in the folder's (sorted) order.
    private func folderWithBadFiles(goodCount: Int) throws -> [String] {
        for i in 0..<goodCount {
            let image = RGBImage(width: 5, height: 4, pixels: (0..<60).map { UInt8(truncatingIfNeeded: $0 * 3 + i * 40) })
            try Data(try PNGCodec.encode(image)).write(to: root.appendingPathComponent("good\(i).png"))
        }
        let png = try PNGCodec.encode(RGBImage(width: 5, height: 4, pixels: [UInt8](repeating: 9, count: 60)))
        let bad: [(String, [UInt8])] = [("empty.png", []), ("notes.png", Array("just some text\n".utf8)),
                                        ("truncated.png", Array(png.prefix(png.count / 2)))]
        for (name, bytes) in bad { try Data(bytes).write(to: root.appendingPathComponent(name)) }
        return bad.map { root.appendingPathComponent($0.0).path }
    }

    func testBadFilesAreSkippedWithOneWarningEachAndCounted() throws {
        let badPaths = try folderWithBadFiles(goodCount: 8)
        let dataset = try ImageFolderDataset(root: root.path)
        XCTAssertEqual(dataset.count, 11)
        for workers in [1, 2] {
            let warnings = WarningLog()
            let loader = loader(dataset, transform: CountingTransform(height: 4, width: 5), batchSize: 3, shuffle: false,
                                workers: workers, warnings: warnings)
            let iterator = loader.makeIterator(epoch: 0)
            var batches = [DataLoader.Batch]()
            while let batch = try iterator.next() { batches.append(batch) }
            XCTAssertEqual(batches.map(\.count), [3, 3, 2], "8 good images in batches of 3")
            XCTAssertEqual(batches.flatMap(\.indices).map { (dataset.paths[$0] as NSString).lastPathComponent },
                           (0..<8).map { "good\($0).png" })
            XCTAssertEqual(batches.flatMap(\.labels), Array(repeating: nil, count: 8))
            XCTAssertEqual(iterator.skippedCount, 3)
            XCTAssertEqual(warnings.lines.count, 3)
            for (line, path) in zip(warnings.lines, badPaths) {
                XCTAssertTrue(line.hasPrefix("warning: ") && line.contains("'\(path)'"), line)
                XCTAssertFalse(line.contains("\n"), line)
            }
            XCTAssertTrue(warnings.lines[0].contains("the file is empty"), warnings.lines[0])
            XCTAssertTrue(warnings.lines[1].contains("not a JPEG or PNG"), warnings.lines[1])
        }
    }

    /// With no workers, `next()` loads each sample on the calling thread, no further ahead than
    /// its batch needs; batches, warnings and skipped counts are those of 2 workers, bad files
    /// included.
    func testNoWorkersLoadOnTheCallingThreadWithTheSameBatches() throws {
        _ = try folderWithBadFiles(goodCount: 8)
        let dataset = try ImageFolderDataset(root: root.path)
        var outcomes: [(records: [BatchRecord], skipped: Int, warnings: [String])] = []
        for workers in [0, 2] {
            let warnings = WarningLog()
            let counting = CountingTransform(height: 4, width: 5)
            let loader = loader(dataset, transform: counting, batchSize: 3, workers: workers, warnings: warnings)
            let iterator = loader.makeIterator(epoch: 1)
            if workers == 0 {
                XCTAssertEqual(iterator.runningWorkerCount, 0)
                XCTAssertEqual(counting.count, 0, "nothing is loaded before the first next()")
            }
            var records = [BatchRecord]()
            while let batch = try iterator.next() {
                records.append(BatchRecord(batch))
                if workers == 0 { XCTAssertEqual(counting.count, records.map(\.indices.count).reduce(0, +)) }
            }
            if workers == 0 { XCTAssertEqual(counting.threads, [pthread_self()]) }
            outcomes.append((records, iterator.skippedCount, warnings.lines))
        }
        XCTAssertEqual(outcomes[0].records.map(\.indices.count), [3, 3, 2])
        XCTAssertEqual(outcomes[0].records, outcomes[1].records)
        XCTAssertEqual(outcomes[0].skipped, 3)
        XCTAssertEqual(outcomes[0].skipped, outcomes[1].skipped)
        XCTAssertEqual(outcomes[0].warnings, outcomes[1].warnings)
    }

    /// Resuming after skipped files still gives the remaining batches, and counts only the
    /// files skipped after the start position.
    func testResumeAfterSkippedFiles() throws {
        _ = try folderWithBadFiles(goodCount: 8)
        let dataset = try ImageFolderDataset(root: root.path)
        let loader = loader(dataset, transform: CountingTransform(height: 4, width: 5), batchSize: 3, workers: 2)
        let full = try records(loader, epoch: 1)
        XCTAssertEqual(full.map(\.indices.count), [3, 3, 2])
        let resumed = loader.makeIterator(epoch: 1, startPosition: full[0].endPosition)
        var rest = [BatchRecord]()
        while let batch = try resumed.next() { rest.append(BatchRecord(batch)) }
        XCTAssertEqual(rest, Array(full[1...]))
        let skippedBefore = loader.order(epoch: 1)[..<full[0].endPosition].filter { !dataset.paths[$0].contains("good") }.count
        XCTAssertEqual(resumed.skippedCount, 3 - skippedBefore)
    }

    func testStrictModeThrowsNamingTheFile() throws {
        let badPaths = try folderWithBadFiles(goodCount: 4)
        let dataset = try ImageFolderDataset(root: root.path)
        let warnings = WarningLog()
        let loader = loader(dataset, transform: CountingTransform(height: 4, width: 5), batchSize: 2, shuffle: false,
                            workers: 2, strict: true, warnings: warnings)
        let iterator = loader.makeIterator(epoch: 0)
        // Sorted: empty.png, good0…good3.png, notes.png, truncated.png — the first file is bad.
        XCTAssertThrowsError(try iterator.next()) { error in
            XCTAssertEqual(error as? ImageDecodingError, ImageDecodingError(file: badPaths[0], reason: .empty))
            XCTAssertTrue("\(error)".contains("'\(badPaths[0])'"), "\(error)")
        }
        XCTAssertNil(try iterator.next(), "the epoch ends after the error")
        XCTAssertEqual(iterator.skippedCount, 0, "nothing was skipped")
        XCTAssertEqual(iterator.position, 1)
        XCTAssertEqual(iterator.runningWorkerCount, 0)
        XCTAssertEqual(warnings.lines, [])
        let resumed = loader.makeIterator(epoch: 0, startPosition: 1)
        XCTAssertEqual(try resumed.next()?.count, 2)
        XCTAssertEqual(try resumed.next()?.count, 2)
        XCTAssertThrowsError(try resumed.next()) { error in
            XCTAssertEqual((error as? ImageDecodingError)?.file, badPaths[1])
        }
    }

    func testEarlyStopEndsTheWorkers() throws {
        let dataset = try idxDataset(count: 2000)
        let loader = loader(dataset, batchSize: 4, workers: 3, prefetch: 8)
        let iterator = loader.makeIterator(epoch: 0)
        XCTAssertEqual(try iterator.next()?.count, 4)
        iterator.cancel()
        XCTAssertEqual(iterator.runningWorkerCount, 0)
        XCTAssertNil(try iterator.next())
        let inline = self.loader(dataset, workers: 0).makeIterator(epoch: 0)
        XCTAssertEqual(try inline.next()?.count, 4)
        inline.cancel()
        XCTAssertNil(try inline.next(), "cancel() ends an epoch loaded on the calling thread too")
        // Releasing an iterator mid-epoch (no cancel) must not hang either.
        for workers in [0, 1, 3] {
            XCTAssertEqual(try self.loader(dataset, workers: workers).makeIterator(epoch: 1).next()?.count, 4)
        }
        // Nor releasing one that was never read from.
        _ = self.loader(dataset, workers: 2).makeIterator(epoch: 2)
    }

    /// Workers stop `prefetchCount` samples ahead of the consumer.
    func testPrefetchWindowBoundsTheWorkAhead() throws {
        let dataset = try idxDataset(count: 100)
        let counting = CountingTransform(height: 6, width: 7)
        let loader = DataLoader(dataset: dataset, transform: counting, batchSize: 2, workerCount: 3,
                                prefetchCount: 5, warningSink: WarningLog().sink)
        let iterator = loader.makeIterator(epoch: 0)
        XCTAssertEqual(try iterator.next()?.count, 2)
        let deadline = Date().addingTimeInterval(10)
        while counting.count < 2 + 5 && Date() < deadline { Thread.sleep(forTimeInterval: 0.001) }
        Thread.sleep(forTimeInterval: 0.05)
        XCTAssertEqual(counting.count, 2 + 5, "2 consumed plus a full window, no more")
        iterator.cancel()
    }

    func testStartPositionAtTheEndGivesNoBatch() throws {
        let dataset = try idxDataset(count: 6)
        XCTAssertEqual(try records(loader(dataset), startPosition: 6), [])
    }

    /// The installed Fashion-MNIST training split through the loader (evaluation view: 32 px shorter side, 28 px centre crop,
    /// shuffled, batches of 256) gives the same batches with 1 and 2 workers. Prints the
    /// throughput of each, timed over an epoch whose consumer does nothing else.
    func testFashionMNISTIsIdenticalWithOneAndTwoWorkers() throws {
        let dataset = try InstalledFashionMNIST.split(.train)
        var digests = [UInt64]()
        for workers in [1, 2] {
            let loader = DataLoader(dataset: dataset, transform: EvaluationTransform(size: 28), batchSize: 256,
                                    seed: 1, workerCount: workers, normalization: Normalization(mean: [0.286], standardDeviation: [0.353]))
            let start = Date()
            let timed = loader.makeIterator(epoch: 0)
            var count = 0
            while let batch = try timed.next() { count += batch.count }
            let seconds = Date().timeIntervalSince(start)
            print("DataLoader, Fashion-MNIST train, \(workers) worker(s): \(Int(Double(count) / seconds)) images/s")
            XCTAssertEqual(count, 60_000)

            let iterator = loader.makeIterator(epoch: 0)
            var digest: UInt64 = 0xCBF2_9CE4_8422_2325
            while let batch = try iterator.next() {
                let values = UnsafeBufferPointer(start: batch.views[0].data, count: batch.views[0].count)
                for value in values.lazy.map({ UInt64($0.bitPattern) }) + batch.indices.map(UInt64.init) + batch.labels.map({ UInt64($0!) }) {
                    digest = (digest ^ value) &* 0x100_0000_01B3
                }
            }
            digests.append(digest)
        }
        XCTAssertEqual(digests[0], digests[1])
    }
}
