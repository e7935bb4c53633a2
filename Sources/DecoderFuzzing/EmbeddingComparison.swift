import CLSA
import Foundation

/// Compares two `clsa embed` outputs row by row, matching rows by their image's file name:
/// whether every image embedded in `reference` (the intact files alone) has a bit-identical row
/// in `candidate` (the same files mixed with damaged ones).
package struct EmbeddingComparison: Sendable {
    /// Reference files with no row in the candidate.
    package let missing: [String]
    /// Reference files whose candidate row differs in any bit.
    package let differing: [String]
    /// The candidate's rows by file name.
    package let candidateNames: Set<String>

    /// Reads both feature files (`features` [N, D], `paths` metadata).
    /// - Throws: `CheckpointError` for an unreadable file, `Malformed` for missing fields.
    package init(reference: String, candidate: String) throws {
        let referenceRows = try EmbeddingComparison.rows(reference)
        let candidateRows = try EmbeddingComparison.rows(candidate)
        missing = referenceRows.keys.filter { candidateRows[$0] == nil }.sorted()
        differing = referenceRows.compactMap { name, row in
            guard let other = candidateRows[name] else { return nil }
            return row.map(\.bitPattern) == other.map(\.bitPattern) ? nil : name
        }.sorted()
        candidateNames = Set(candidateRows.keys)
    }

    /// A feature file without `features` or `paths`, or with a row count that does not match.
    package struct Malformed: Error, CustomStringConvertible {
        package let path: String
        package var description: String { "'\(path)' is not a `clsa embed` feature file" }
    }

    private static func rows(_ path: String) throws -> [String: [Float]] {
        let reader = try SafeTensorsReader(path: path)
        let features = try reader.tensor("features")
        guard let json = reader.metadata["paths"],
              let paths = try? JSONDecoder().decode([String].self, from: Data(json.utf8)),
              features.shape.count == 2, features.shape[0] == paths.count else {
            throw Malformed(path: path)
        }
        let width = features.shape[1], values = features.scalars
        var rows: [String: [Float]] = [:]
        for (row, imagePath) in paths.enumerated() {
            rows[(imagePath as NSString).lastPathComponent] = Array(values[(row * width)..<((row + 1) * width)])
        }
        return rows
    }
}
