import Foundation
import TensorCore

/// A seeded corpus of damaged image files made from good ones: variant `i` damages source
/// `i mod S` with damage kind `(i div S) mod 7` (`Damage.allCases`), drawing from
/// `SeededRandom(seed:, i)`; so the first `7·S` variants give every source every kind of damage,
/// and the same seed always gives the same bytes.
///
/// On disk (`write(count:to:)`) each damaged file is followed, in sorted order, by an intact copy
/// of its source, so that a decoder left in a bad state by the damaged file shows it on the next
/// file; the intact copies are also written alone, for comparison.
///
///     let corpus = FuzzCorpus(sources: try FuzzCorpus.repositorySources(root: "."), seed: 1)
///     let folders = try corpus.write(count: 5000, to: "/tmp/corpus")   // mixed/, good/, corpus.tsv
package struct FuzzCorpus: Sendable {
    /// A good image file the corpus damages.
    package struct Source: Sendable {
        /// The file's name, extension included.
        package let name: String
        package let bytes: [UInt8]
        package let layout: ContainerLayout

        /// - Returns: nil when `bytes` are not a JPEG or PNG or hold nothing after the signature.
        package init?(name: String, bytes: [UInt8]) {
            guard let layout = ContainerLayout(of: bytes), bytes.count > layout.signatureLength else { return nil }
            self.name = name
            self.bytes = bytes
            self.layout = layout
        }

        var stem: String { (name as NSString).deletingPathExtension }
        var fileExtension: String { (name as NSString).pathExtension }
    }

    /// One damaged file.
    package struct Variant: Sendable {
        package let index: Int
        package let source: Source
        package let damage: Damage
        /// What the damage did, for the manifest ("truncated to 812 of 1299 bytes").
        package let detail: String
        package let bytes: [UInt8]

        /// Its name on disk; sorts just before `goodName`.
        package var damagedName: String { "\(prefix)-a-\(source.stem)-\(damage.rawValue).\(source.fileExtension)" }
        /// The name of the intact copy of the source that follows it.
        package var goodName: String { "\(prefix)-b-\(source.stem).\(source.fileExtension)" }
        private var prefix: String { String(format: "v%06d", index) }
    }

    /// Where `write(count:to:)` put the corpus.
    package struct Folders: Sendable {
        /// Damaged files, each followed by an intact copy of its source.
        package let mixed: String
        /// The intact copies alone, with the same names as in `mixed`.
        package let good: String
        /// One line per variant: damaged name, source, damage kind, detail (tab-separated).
        package let manifest: String
    }

    package let sources: [Source]
    package let seed: UInt64

    package init(sources: [Source], seed: UInt64) {
        precondition(!sources.isEmpty, "FuzzCorpus: no sources")
        self.sources = sources
        self.seed = seed
    }

    /// The JPEG and PNG files directly in `folders` whose names start with one of `namePrefixes`
    /// (any name when nil), sorted by name within each folder, leaving out the codec fixtures'
    /// expected outputs (`*.expected.png`).
    package static func sources(inFolders folders: [String], namePrefixes: [String]? = nil) throws -> [Source] {
        try folders.flatMap { folder in
            try FileManager.default.contentsOfDirectory(atPath: folder)
                .filter { name in
                    ["jpg", "jpeg", "png"].contains((name as NSString).pathExtension.lowercased())
                        && !name.hasSuffix(".expected.png")
                        && (namePrefixes?.contains { name.hasPrefix($0) } ?? true)
                }
                .sorted()
                .compactMap { name in
                    let path = (folder as NSString).appendingPathComponent(name)
                    return Source(name: name, bytes: [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))))
                }
        }
    }

    /// The repository's corpus sources: the codec fixtures (`jpeg_*`, `png_*` in
    /// `Tests/AugmentTests/Fixtures`: baseline 4:2:0/4:2:2/4:4:4, progressive, restart markers,
    /// grayscale and CMYK JPEGs; 1–16-bit gray, palette, RGB(A), 16-bit and interlaced PNGs) and,
    /// unless `fixturesOnly`, the photos of `Benchmarks/photos` (baseline JPEGs of a few hundred
    /// pixels a side).
    package static func repositorySources(root: String, fixturesOnly: Bool = false) throws -> [Source] {
        let fixtures = (root as NSString).appendingPathComponent("Tests/AugmentTests/Fixtures")
        let photos = (root as NSString).appendingPathComponent("Benchmarks/photos")
        return try sources(inFolders: [fixtures], namePrefixes: ["jpeg_", "png_"])
            + (fixturesOnly ? [] : sources(inFolders: [photos]))
    }

    /// Variant `index` (see the type's documentation).
    package func variant(_ index: Int) -> Variant {
        let source = sources[index % sources.count]
        let damage = Damage.allCases[(index / sources.count) % Damage.allCases.count]
        var random = SeededRandom(seed: seed, UInt64(index))
        let (bytes, detail) = damage.apply(to: source.bytes, layout: source.layout, random: &random)
        return Variant(index: index, source: source, damage: damage, detail: detail, bytes: bytes)
    }

    /// Writes variants `0..<count` under `folder` (created if needed): `mixed/`, `good/` and
    /// `corpus.tsv`.
    package func write(count: Int, to folder: String) throws -> Folders {
        let folders = Folders(mixed: (folder as NSString).appendingPathComponent("mixed"),
                              good: (folder as NSString).appendingPathComponent("good"),
                              manifest: (folder as NSString).appendingPathComponent("corpus.tsv"))
        for path in [folders.mixed, folders.good] {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        }
        var manifest = ""
        for index in 0..<count {
            let variant = variant(index)
            try write(variant.bytes, to: (folders.mixed as NSString).appendingPathComponent(variant.damagedName))
            for good in [folders.mixed, folders.good] {
                try write(variant.source.bytes, to: (good as NSString).appendingPathComponent(variant.goodName))
            }
            manifest += [variant.damagedName, variant.source.name, variant.damage.rawValue, variant.detail]
                .joined(separator: "\t") + "\n"
        }
        try write(Array(manifest.utf8), to: folders.manifest)
        return folders
    }

    private func write(_ bytes: [UInt8], to path: String) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }
}
