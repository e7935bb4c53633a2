import Augment
import Foundation
import TensorCore

extension PretrainedBackbone {
    /// The `format` metadata value of the checkpoints this reader understands.
    static let checkpointFormat = "clsa-swift-checkpoint-1"

    /// Reads the query backbone of a checkpoint in the project's format: a full pretraining
    /// checkpoint (`kind` = `pretraining`) or an exported backbone (`kind` = `backbone`). The
    /// architecture, base width, image size and normalisation come from `__metadata__`; every
    /// entry of `ResNet.state` is taken from the tensor of the same name (torchvision's keys, no
    /// prefix), F32 into the tensor and I64 into the counter. Other tensors (head, key encoder,
    /// queue, optimiser) are ignored.
    ///
    /// - Throws: `CheckpointError` naming the file: unreadable or damaged (see
    ///   `SafeTensorsReader`), another format or kind, bad metadata, or a missing or mis-shaped
    ///   tensor (named).
    public init(checkpoint path: String) throws {
        let reader = try SafeTensorsReader(path: path)
        func fail(_ reason: String) -> CheckpointError { CheckpointError(file: path, reason) }
        let metadata = reader.metadata
        func field(_ key: String) throws -> String {
            guard let value = metadata[key] else { throw fail("metadata has no '\(key)'") }
            return value
        }
        let format = try field("format")
        guard format == Self.checkpointFormat else {
            throw fail("format '\(format)' is not \(Self.checkpointFormat)")
        }
        let kind = try field("kind")
        guard kind == "pretraining" || kind == "backbone" else {
            throw fail("kind '\(kind)' holds no backbone (expected 'pretraining' or 'backbone')")
        }
        let architecture = try field("architecture")
        guard var configuration = ResNetConfiguration.named(architecture) else {
            throw fail("unknown architecture '\(architecture)'")
        }
        guard let baseWidth = Int(try field("base_width")), baseWidth >= 1 else {
            throw fail("base_width '\(metadata["base_width"]!)' is not a positive integer")
        }
        guard let imageSize = Int(try field("image_size")), imageSize >= 1 else {
            throw fail("image_size '\(metadata["image_size"]!)' is not a positive integer")
        }
        guard try field("channels") == "3" else {
            throw fail("channels '\(metadata["channels"]!)' is not 3")
        }
        let mean = try Self.triple(try field("mean"), "mean", fail)
        let standardDeviation = try Self.triple(try field("std"), "std", fail)
        guard standardDeviation.allSatisfy({ $0 > 0 }) else { throw fail("std \(standardDeviation) must be positive") }

        configuration.baseWidth = baseWidth
        var random = SeededRandom(seed: 0)
        let network = ResNet(configuration, random: &random)
        for entry in network.state {
            guard let stored = reader.entries[entry.name] else {
                throw fail("tensor '\(entry.name)' of the \(architecture) backbone is missing")
            }
            switch entry.value {
            case .float(let tensor):
                guard stored.dtype == .f32, stored.shape == tensor.shape else {
                    throw fail("tensor '\(entry.name)' is \(stored.dtype.rawValue) \(stored.shape), "
                               + "the \(architecture) backbone needs F32 \(tensor.shape)")
                }
                tensor.assign(from: try reader.tensor(entry.name))
            case .int64(let counter):
                guard stored.dtype == .i64, stored.shape.reduce(1, *) == 1 else {
                    throw fail("tensor '\(entry.name)' is \(stored.dtype.rawValue) \(stored.shape), "
                               + "the \(architecture) backbone needs one I64")
                }
                counter.value = try reader.int64s(entry.name)[0]
            }
        }
        self.init(network: network, imageSize: imageSize,
                  normalization: Normalization(mean: mean, standardDeviation: standardDeviation))
    }

    /// A metadata value that must be a JSON array of three numbers.
    private static func triple(_ text: String, _ key: String, _ fail: (String) -> CheckpointError) throws -> [Double] {
        guard let parsed = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [NSNumber], parsed.count == 3 else {
            throw fail("\(key) '\(text)' is not a JSON array of 3 numbers")
        }
        return parsed.map(\.doubleValue)
    }
}
