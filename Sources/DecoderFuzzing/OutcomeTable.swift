import Foundation

/// Decode outcomes by file name, as a text file of one line per file:
/// `name<TAB>decoded<TAB>width<TAB>height<TAB>crc32 (hex)` or `name<TAB>rejected<TAB>reason`.
///
/// `fuzz-decoders decode --outcomes` writes the project's; `Scripts/fixtures/make_fuzz_reference.py`
/// writes Pillow's (`Image.open(f).convert("RGB")`, the exception's text when it raises).
package struct OutcomeTable: Sendable {
    package let outcomes: [String: DecodeOutcome]

    package init(_ outcomes: [String: DecodeOutcome]) {
        self.outcomes = outcomes
    }

    /// Reads the table at `path`.
    /// - Throws: Foundation's error when unreadable, `Malformed` naming the first bad line.
    package init(path: String) throws {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var outcomes: [String: DecodeOutcome] = [:]
        for (number, line) in text.split(separator: "\n").enumerated() {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            if fields.count == 5, fields[1] == "decoded",
               let width = Int(fields[2]), let height = Int(fields[3]), let crc = UInt32(fields[4], radix: 16) {
                outcomes[fields[0]] = .decoded(width: width, height: height, crc32: crc)
            } else if fields.count == 3, fields[1] == "rejected" {
                outcomes[fields[0]] = .rejected(fields[2])
            } else {
                throw Malformed(path: path, line: number + 1)
            }
        }
        self.outcomes = outcomes
    }

    /// The table as text, in name order.
    package var text: String {
        outcomes.keys.sorted().map { name in
            switch outcomes[name]! {
            case .decoded(let width, let height, let crc):
                return "\(name)\tdecoded\t\(width)\t\(height)\t\(String(crc, radix: 16))\n"
            case .rejected(let reason):
                let oneLine = reason.map { $0 == "\t" || $0 == "\n" ? " " : $0 }
                return "\(name)\trejected\t\(String(oneLine))\n"
            }
        }.joined()
    }

    /// A line that is not in the table's format.
    package struct Malformed: Error, CustomStringConvertible {
        package let path: String
        package let line: Int
        package var description: String {
            "'\(path)' line \(line): expected name, decoded, width, height, crc32 or name, rejected, reason (tab-separated)"
        }
    }
}
