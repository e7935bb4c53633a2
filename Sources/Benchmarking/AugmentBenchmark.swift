import Augment
import TensorCore

/// Single-threaded throughput of the CLSA data pipeline on real JPEG photographs: decoding,
/// the weak view T at `weakSize`, the strong view S at `strongSize` (cropped with the scale
/// rule for `weakSize`), and whole CLSA-Single samples (decode + T + T′ + S), plus the cost of
/// each stage of a view, to show where the time goes.
///
/// Every timed run processes each photo `drawsPerPhoto` times with fixed random keys, so all
/// runs do the same work; a figure is the best run's rate.
///
/// ```swift
/// let benchmark = try AugmentBenchmark(photosFolder: "Benchmarks/photos")
/// let rates = benchmark.throughput(warmups: 1, repetitions: 5)
/// print(rates.clsaSingleSample, "samples/s")
/// ```
package struct AugmentBenchmark {
    /// The photos' JPEG files, in name order.
    package let photos: [[UInt8]]
    package let weak: WeakAugmentation
    package let strong: StrongAugmentation
    /// How often each photo is processed per timed run (each time with other random draws).
    package let drawsPerPhoto: Int

    /// A benchmark of `photos` (JPEG bytes) with MoCo v2's weak augmentation at `weakSize` and
    /// CLSA's default strong augmentation at `strongSize`.
    package init(photos: [[UInt8]], weakSize: Int = 224, strongSize: Int = 96, drawsPerPhoto: Int = 4) {
        precondition(!photos.isEmpty && drawsPerPhoto > 0, "AugmentBenchmark: no photos or no draws")
        self.photos = photos
        weak = WeakAugmentation(size: weakSize)
        strong = StrongAugmentation(size: strongSize, weakSize: weakSize)
        self.drawsPerPhoto = drawsPerPhoto
    }

    /// A benchmark of the JPEG files in `photosFolder` (a flat folder; files without a JPEG
    /// signature are left out).
    /// - Throws: `DatasetError` when the folder is missing or holds no image files,
    ///   `ImageDecodingError` naming a file that cannot be read, `AugmentBenchmarkError` when
    ///   no file is a JPEG.
    package init(photosFolder: String, weakSize: Int = 224, strongSize: Int = 96, drawsPerPhoto: Int = 4) throws {
        let folder = try ImageFolderDataset(root: photosFolder)
        let photos = try folder.paths.compactMap { path -> [UInt8]? in
            let bytes: [UInt8]
            do {
                bytes = try FileContents.bytes(atPath: path)
            } catch let failure as FileContents.ReadFailure {
                throw ImageDecodingError(file: path, reason: .unreadable(failure.reason))
            }
            return ImageFormat(signatureOf: bytes) == .jpeg ? bytes : nil
        }
        guard !photos.isEmpty else { throw AugmentBenchmarkError.noJPEGFiles(folder: photosFolder) }
        self.init(photos: photos, weakSize: weakSize, strongSize: strongSize, drawsPerPhoto: drawsPerPhoto)
    }

    /// Images (or samples) per second, single-threaded.
    package struct Throughput: Equatable, Sendable {
        /// Full-size JPEG decodes (PIL-exact, no DCT scaling).
        package var decodeJPEG: Double
        /// Weak views from decoded photos.
        package var weakView: Double
        /// Strong views from decoded photos.
        package var strongView: Double
        /// CLSA-Single samples: decode, two weak views and one strong view.
        package var clsaSingleSample: Double
    }

    /// The pipeline's rates, each the best of `repetitions` timed runs after `warmups`.
    /// - Throws: `ImageDecodingError` when a photo cannot be decoded.
    package func throughput(warmups: Int = 1, repetitions: Int = 5) throws -> Throughput {
        let images = try photos.map { try JPEGCodec.decode($0) }
        // Decoding is deterministic and every photo has just decoded, so a timed decode cannot throw.
        func decode(_ photo: Int) -> RGBImage { try! JPEGCodec.decode(photos[photo]) }
        let count = Double(photos.count * drawsPerPhoto)
        func rate(_ body: (_ photo: Int, _ draw: Int) -> Void) -> Double {
            let timing = RepeatedTiming.measure(warmups: warmups, repetitions: repetitions) {
                for draw in 0..<drawsPerPhoto {
                    for photo in photos.indices { body(photo, draw) }
                }
            }
            return count / timing.best
        }
        var checksum = 0
        let decodeRate = rate { photo, _ in
            checksum &+= decode(photo).width
        }
        let weakRate = rate { photo, draw in
            var random = Self.random(photo, draw, view: 0)
            checksum &+= Int(weak.apply(to: images[photo], random: &random).pixels[0])
        }
        let strongRate = rate { photo, draw in
            var random = Self.random(photo, draw, view: 2)
            checksum &+= Int(strong.apply(to: images[photo], random: &random).pixels[0])
        }
        let sampleRate = rate { photo, draw in
            let image = decode(photo)
            for view in 0..<3 {
                var random = Self.random(photo, draw, view: view)
                let output = view < 2 ? weak.apply(to: image, random: &random) : strong.apply(to: image, random: &random)
                checksum &+= Int(output.pixels[0])
            }
        }
        // Keeps the views observable, so the optimiser cannot drop the work.
        precondition(checksum != Int.min)
        return Throughput(decodeJPEG: decodeRate, weakView: weakRate, strongView: strongRate, clsaSingleSample: sampleRate)
    }

    /// One stage's mean cost per call, in milliseconds.
    package struct StageCost: Equatable, Sendable {
        /// `decode_jpeg`, `weak_crop`, `color_jitter`, …: what ran, and on which view size.
        package var name: String
        package var milliseconds: Double
        /// How often a CLSA-Single sample runs this stage on average (its probability times its
        /// number of views), so `milliseconds · callsPerSample` is its share of a sample.
        package var callsPerSample: Double
    }

    /// The cost of each stage of a CLSA-Single sample, run unconditionally on every photo (the
    /// best of `repetitions` timed runs): decoding; the weak crop and each weak op at
    /// `weakSize`; the strong crop, ops and RandAugment rounds at `strongSize`.
    /// - Throws: `ImageDecodingError` when a photo cannot be decoded.
    package func stageCosts(warmups: Int = 1, repetitions: Int = 5) throws -> [StageCost] {
        let images = try photos.map { try JPEGCodec.decode($0) }
        // As in `throughput`: every photo has just decoded, so a timed decode cannot throw.
        func decode(_ photo: Int) -> RGBImage { try! JPEGCodec.decode(photos[photo]) }
        let weakViews = images.enumerated().map { index, image in
            var random = Self.random(index, 0, view: 0)
            return weak.crop.apply(to: image, using: &random)
        }
        let strongViews = images.enumerated().map { index, image in
            var random = Self.random(index, 0, view: 2)
            return strong.base.crop.apply(to: image, using: &random)
        }
        var checksum = 0
        func cost(_ name: String, _ callsPerSample: Double, _ body: (_ photo: Int, _ draw: Int) -> RGBImage) -> StageCost {
            let timing = RepeatedTiming.measure(warmups: warmups, repetitions: repetitions) {
                for draw in 0..<drawsPerPhoto {
                    for photo in photos.indices { checksum &+= Int(body(photo, draw).pixels[0]) }
                }
            }
            return StageCost(name: name, milliseconds: timing.best / Double(photos.count * drawsPerPhoto) * 1e3,
                             callsPerSample: callsPerSample)
        }
        func colourStages(_ views: [RGBImage], _ augmentation: WeakAugmentation, size: String,
                          viewsPerSample: Double) -> [StageCost] {
            [
                cost("color_jitter_\(size)", viewsPerSample * augmentation.colorJitterProbability) { photo, draw in
                    var random = Self.random(photo, draw, view: 5)
                    return augmentation.colorJitter.apply(to: views[photo], random: &random)
                },
                cost("grayscale_\(size)", viewsPerSample * augmentation.grayscaleProbability) { photo, _ in
                    views[photo].grayscale()
                },
                cost("gaussian_blur_\(size)", viewsPerSample * augmentation.blurProbability) { photo, draw in
                    var random = Self.random(photo, draw, view: 6)
                    let sigma = random.uniform(augmentation.blurSigma.lowerBound, augmentation.blurSigma.upperBound)
                    return views[photo].gaussianBlurred(sigma: Float(sigma))
                },
                cost("flip_\(size)", viewsPerSample * augmentation.flipProbability) { photo, _ in
                    views[photo].flippedHorizontally()
                },
            ]
        }
        var stages = [
            cost("decode_jpeg", 1) { photo, _ in decode(photo) },
            cost("weak_crop_\(weak.size)", 2) { photo, draw in
                var random = Self.random(photo, draw, view: 0)
                return weak.crop.apply(to: images[photo], using: &random)
            },
        ]
        stages += colourStages(weakViews, weak, size: "\(weak.size)", viewsPerSample: 2)
        stages.append(cost("strong_crop_\(strong.size)", 1) { photo, draw in
            var random = Self.random(photo, draw, view: 2)
            return strong.base.crop.apply(to: images[photo], using: &random)
        })
        stages += colourStages(strongViews, strong.base, size: "\(strong.size)", viewsPerSample: 1)
        stages.append(cost("randaugment_rounds_\(strong.size)", 1) { photo, draw in
            var random = Self.random(photo, draw, view: 7)
            return StrongAugmentation.apply(strong.drawRounds(random: &random), to: strongViews[photo])
        })
        precondition(checksum != Int.min)
        return stages
    }

    /// The fixed random stream of one (photo, draw, view).
    private static func random(_ photo: Int, _ draw: Int, view: Int) -> SeededRandom {
        SeededRandom(seed: 2021, UInt64(photo), UInt64(draw), UInt64(view))
    }
}

/// Why a benchmark could not run; `description` names the folder.
package enum AugmentBenchmarkError: Error, CustomStringConvertible, Equatable {
    /// The folder holds image files but none is a JPEG.
    case noJPEGFiles(folder: String)

    package var description: String {
        switch self {
        case .noJPEGFiles(let folder): return "photo folder '\(folder)' contains no JPEG files"
        }
    }
}
