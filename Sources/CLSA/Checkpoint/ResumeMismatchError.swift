/// A checkpoint whose configuration differs from the run that wants to resume it.
public struct ResumeMismatchError: Error, CustomStringConvertible, Equatable {
    public let file: String
    /// One line per differing field: "architecture: checkpoint has resnet18, this run has resnet50".
    public let differences: [String]

    public var description: String {
        "cannot resume from '\(file)': its configuration differs from this run's: " + differences.joined(separator: "; ")
    }
}
