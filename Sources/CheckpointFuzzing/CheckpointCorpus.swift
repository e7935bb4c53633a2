import Foundation
import TensorCore

/// A seeded corpus of damaged checkpoints made from one good one: variant `i` has damage
/// `CheckpointDamage.allCases[i mod K]` (K kinds), changes metadata key
/// `targetedMetadataKeys[(i div K) mod M]` when the damage is a metadata one, and draws from
/// `SeededRandom(seed:, i)`; so the first `K·M` variants (`fullCount`) give every metadata key
/// every metadata damage, and the same seed always gives the same bytes.
///
///     let corpus = try CheckpointCorpus(source: CheckpointFixture.checkpoint(root: "."), seed: 1)
///     let variants = try corpus.write(count: corpus.fullCount, to: "/tmp/corpus")
package struct CheckpointCorpus: Sendable {
    /// One damaged checkpoint.
    package struct Variant: Sendable {
        package let index: Int
        package let damage: CheckpointDamage
        /// What the damage did, for the manifest ("metadata 'image_size' → '-1'").
        package let detail: String
        package let bytes: [UInt8]

        /// Its file name: `v000012-shape-huge.safetensors`.
        package var name: String { String(format: "v%06d-", index) + damage.rawValue + ".safetensors" }
    }

    package let source: SafeTensorsLayout
    package let seed: UInt64

    /// - Throws: `SafeTensorsLayout.Unreadable` when `source` is not a whole safetensors file.
    package init(source: [UInt8], seed: UInt64) throws {
        self.source = try SafeTensorsLayout(bytes: source)
        self.seed = seed
    }

    /// Variants that give every metadata key every metadata damage (and every damage
    /// `targetedMetadataKeys.count` draws).
    package var fullCount: Int { CheckpointDamage.allCases.count * CheckpointDamage.targetedMetadataKeys.count }

    /// Variant `index` (see the type's documentation).
    package func variant(_ index: Int) -> Variant {
        let kinds = CheckpointDamage.allCases, keys = CheckpointDamage.targetedMetadataKeys
        let damage = kinds[index % kinds.count]
        var random = SeededRandom(seed: seed, UInt64(index))
        let (bytes, detail) = damage.apply(to: source, metadataKey: keys[(index / kinds.count) % keys.count], random: &random)
        return Variant(index: index, damage: damage, detail: detail, bytes: bytes)
    }

    /// Writes variants `0..<count` into `folder` (created if needed), with `corpus.tsv`: one
    /// line per variant, its file name, damage and detail (tab-separated).
    /// - Returns: each variant's path, in index order.
    package func write(count: Int, to folder: String) throws -> [(variant: Variant, path: String)] {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var manifest = "", written: [(Variant, String)] = []
        for index in 0..<count {
            let variant = variant(index)
            let path = (folder as NSString).appendingPathComponent(variant.name)
            try Data(variant.bytes).write(to: URL(fileURLWithPath: path))
            written.append((variant, path))
            manifest += [variant.name, variant.damage.rawValue, variant.detail.replacingOccurrences(of: "\t", with: " ")]
                .joined(separator: "\t") + "\n"
        }
        try Data(manifest.utf8).write(to: URL(fileURLWithPath: (folder as NSString).appendingPathComponent("corpus.tsv")))
        return written
    }
}
