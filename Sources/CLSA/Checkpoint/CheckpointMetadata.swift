import Foundation

/// The `__metadata__` that every checkpoint carries (format `clsa-swift-checkpoint-1`): which
/// network its backbone tensors belong to, how its inputs were normalised, and where it was made.
/// Pretraining checkpoints add their run position and configuration (`TrainingCheckpoint`).
public struct CheckpointMetadata: Equatable, Sendable {
    public enum Kind: String, Sendable {
        /// A full pretraining checkpoint: both encoders, the queue, the optimiser, the position.
        case pretraining
        /// An export: the query backbone's tensors only.
        case backbone
    }

    /// The value of the `format` key.
    public static let format = "clsa-swift-checkpoint-1"

    public var kind: Kind
    /// `--arch`: `resnet50`, `resnet18`, `resnet18-small`, `resnet50-small`.
    public var architecture: String
    /// Channels of the backbone's stem (64 in torchvision).
    public var baseWidth: Int
    /// Side of the training views, in pixels.
    public var imageSize: Int
    /// Per-channel normalisation of the inputs (R, G, B), in units of the [0, 1] range.
    public var mean: [Double]
    public var standardDeviation: [Double]
    public var provenance: RunProvenance

    public init(kind: Kind, architecture: String, baseWidth: Int, imageSize: Int, mean: [Double],
                standardDeviation: [Double], provenance: RunProvenance = .current) {
        self.kind = kind
        self.architecture = architecture
        self.baseWidth = baseWidth
        self.imageSize = imageSize
        self.mean = mean
        self.standardDeviation = standardDeviation
        self.provenance = provenance
    }

    /// The metadata of a pretraining checkpoint of a run with `configuration`.
    public init(pretraining configuration: PretrainingConfiguration, provenance: RunProvenance = .current) {
        self.init(kind: .pretraining, architecture: configuration.architecture.rawValue, baseWidth: configuration.baseWidth,
                  imageSize: configuration.imageSize, mean: configuration.mean,
                  standardDeviation: configuration.standardDeviation, provenance: provenance)
    }

    /// Parses a file's `__metadata__`.
    /// - Throws: `CheckpointError` naming `file` and the missing or malformed key, or a file
    ///   that is not in this format.
    public init(reading metadata: [String: String], file: String) throws {
        func value(_ key: String) throws -> String {
            guard let value = metadata[key] else { throw CheckpointError(file: file, "metadata has no '\(key)'") }
            return value
        }
        func integer(_ key: String) throws -> Int {
            guard let number = Int(try value(key)) else {
                throw CheckpointError(file: file, "metadata '\(key)' is not an integer: '\(try value(key))'")
            }
            return number
        }
        func triple(_ key: String) throws -> [Double] {
            let text = try value(key)
            guard let numbers = try? JSONDecoder().decode([Double].self, from: Data(text.utf8)), numbers.count == 3 else {
                throw CheckpointError(file: file, "metadata '\(key)' is not a JSON array of 3 numbers: '\(text)'")
            }
            return numbers
        }
        guard metadata["format"] == Self.format else {
            throw CheckpointError(file: file, "not a \(Self.format) file (format: \(metadata["format"] ?? "none"))")
        }
        // Every file of this format records its data's CRC-32, which the reader has checked.
        _ = try value("checksum_crc32")
        guard let kind = Kind(rawValue: try value("kind")) else {
            throw CheckpointError(file: file, "unknown checkpoint kind '\(try value("kind"))'")
        }
        guard try integer("channels") == 3 else {
            throw CheckpointError(file: file, "expected 3 input channels, metadata says \(try value("channels"))")
        }
        // Provenance is informative: files exported by other tools may lack it.
        self.init(kind: kind, architecture: try value("architecture"), baseWidth: try integer("base_width"),
                  imageSize: try integer("image_size"), mean: try triple("mean"), standardDeviation: try triple("std"),
                  provenance: RunProvenance(version: metadata["version"] ?? "unknown",
                                            cpuModel: metadata["cpu_model"] ?? "unknown",
                                            blasCore: metadata["blas_core"] ?? "unknown"))
        try validate(file: file)
    }

    /// The base widths a checkpoint may give (torchvision's is 64): a wider network is refused
    /// before it is built, so that a damaged width cannot make one of gigabytes.
    public static let baseWidths = 1...256
    /// The image sides a checkpoint may give, in pixels (pretraining needs at least 8).
    public static let imageSizes = 8...1024
    /// The range of each channel's mean, in units of the [0, 1] pixel range (far wider than any
    /// normalisation of such pixels needs).
    public static let means = -10.0...10.0
    /// The range of each channel's standard deviation, in units of the [0, 1] pixel range (zero
    /// excluded; far wider than any normalisation of such pixels needs).
    public static let standardDeviations = Double.leastNonzeroMagnitude...10.0

    /// Checks the architecture's name and that every number lies in its range above.
    /// - Throws: `CheckpointError` naming `file`, the metadata key, its value and the bound.
    public func validate(file: String) throws {
        guard ResNetArchitecture(rawValue: architecture) != nil else {
            throw CheckpointError(file: file, "unknown architecture '\(architecture)' (metadata 'architecture'; known: "
                                  + ResNetArchitecture.allCases.map(\.rawValue).joined(separator: ", ") + ")")
        }
        guard Self.baseWidths.contains(baseWidth) else {
            throw CheckpointError(file: file, "metadata 'base_width' \(baseWidth) lies outside \(Self.baseWidths)")
        }
        guard Self.imageSizes.contains(imageSize) else {
            throw CheckpointError(file: file, "metadata 'image_size' \(imageSize) lies outside \(Self.imageSizes)")
        }
        guard mean.allSatisfy(Self.means.contains) else {
            throw CheckpointError(file: file, "metadata 'mean' \(mean) has a value outside \(Self.means)")
        }
        guard standardDeviation.allSatisfy(Self.standardDeviations.contains) else {
            throw CheckpointError(file: file, "metadata 'std' \(standardDeviation) has a value outside (0, \(Self.standardDeviations.upperBound)]")
        }
    }

    /// The string entries for `__metadata__`.
    public var entries: [String: String] {
        func json(_ values: [Double]) -> String { "[" + values.map { "\($0)" }.joined(separator: ", ") + "]" }
        return [
            "format": Self.format,
            "kind": kind.rawValue,
            "architecture": architecture,
            "base_width": String(baseWidth),
            "image_size": String(imageSize),
            "channels": "3",
            "mean": json(mean),
            "std": json(standardDeviation),
            "version": provenance.version,
            "cpu_model": provenance.cpuModel,
            "blas_core": provenance.blasCore,
        ]
    }

    /// The backbone's configuration (without a classifier).
    /// - Throws: `CheckpointError` naming `file` for metadata that `validate(file:)` refuses.
    public func backbone(file: String) throws -> ResNetConfiguration {
        try validate(file: file)
        var configuration = ResNetArchitecture(rawValue: architecture)!.configuration()
        configuration.baseWidth = baseWidth
        return configuration
    }
}
