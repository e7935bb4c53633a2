import CheckpointFuzzing

/// How often each command ended each way over a fuzzing run.
struct VerdictCounts {
    /// The verdict categories, in the order the table prints them.
    static let categories = ["refused", "skipped", "accepted", "crashed", "hung", "unclear"]

    private var counts: [FuzzedCommand: [String: Int]] = [:]

    mutating func add(_ verdict: RefusalVerdict, for command: FuzzedCommand) {
        counts[command, default: [:]][Self.category(of: verdict), default: 0] += 1
    }

    /// Runs of all commands that ended in `category`.
    func total(_ category: String) -> Int {
        counts.values.reduce(0) { $0 + ($1[category] ?? 0) }
    }

    /// One line per command: `export: refused 370, skipped 0, accepted 8, crashed 0, hung 0, unclear 0`.
    var lines: [String] {
        FuzzedCommand.allCases.map { command in
            "\(command.rawValue): " + Self.categories.map { "\($0) \(counts[command]?[$0] ?? 0)" }.joined(separator: ", ")
        }
    }

    private static func category(of verdict: RefusalVerdict) -> String {
        switch verdict {
        case .refused: return "refused"
        case .skipped: return "skipped"
        case .accepted: return "accepted"
        case .crashed: return "crashed"
        case .hung: return "hung"
        case .unclear: return "unclear"
        }
    }
}
