import Augment
import Foundation

/// Decodes a folder's files in sorted order on one `ImageFileReader`, as a loader worker does,
/// and each file again on a new reader: any difference is state that a file left behind in the
/// reader for the next one.
package struct SequentialDecoding: Sendable {
    /// Each file's name and what the shared reader gave, in sorted order.
    package let outcomes: [(name: String, outcome: DecodeOutcome)]
    /// Files whose shared-reader outcome differs from a new reader's: (name, shared, new).
    package let leaks: [(name: String, shared: DecodeOutcome, fresh: DecodeOutcome)]

    /// Decodes every `.jpg`, `.jpeg` and `.png` file directly in `folder`.
    package init(folder: String) throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: folder)
            .filter { ImageFolderDataset.imageExtensions.contains(($0 as NSString).pathExtension.lowercased()) }
            .sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        let shared = ImageFileReader()
        var outcomes: [(String, DecodeOutcome)] = [], leaks: [(String, DecodeOutcome, DecodeOutcome)] = []
        for name in names {
            let path = (folder as NSString).appendingPathComponent(name)
            let outcome = DecodeOutcome(decoding: path, with: shared)
            let fresh = DecodeOutcome(decoding: path, with: ImageFileReader())
            outcomes.append((name, outcome))
            if outcome != fresh { leaks.append((name, outcome, fresh)) }
        }
        self.outcomes = outcomes
        self.leaks = leaks
    }
}
