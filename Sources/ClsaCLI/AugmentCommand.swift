import ArgumentParser
import Augment
import Foundation

/// `clsa augment`: one strong-augmentation operation at an explicit magnitude on one image file.
struct AugmentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "augment",
        abstract: "Apply one augmentation operation to an image and write the result as PNG.",
        discussion: """
            Operations and magnitudes (raw units, as StrongOperation takes them):
            \(StrongOperation.allCases.map(Self.usage).joined(separator: "\n"))
            """)

    @Option(help: "The operation: \(StrongOperation.allCases.map(\.name).joined(separator: ", ")).")
    var op: String

    // Unconditional, so that a negative value (`--magnitude -0.3`) is not taken for a flag.
    @Option(parsing: .unconditional, help: "The magnitude in the operation's raw units (omit for operations without one).")
    var magnitude: Double?

    @Option(name: .customLong("in"), help: "The input image (JPEG or PNG).")
    var input: String

    @Option(help: "The output PNG file.")
    var out: String

    func validate() throws {
        _ = try operation()
        try FileArgument.requireFile(input, flag: "--in")
    }

    func run() throws {
        let image = try ImageFileReader().read(input)
        let operation = try operation()
        try PNGOutput.write(operation.apply(to: image, magnitude: magnitude ?? 0), to: out)
    }

    /// The operation `--op` names, after checking `--magnitude` against it.
    private func operation() throws -> StrongOperation {
        guard let operation = StrongOperation(name: op) else {
            throw ValidationError("unknown --op '\(op)'; valid operations: "
                                  + StrongOperation.allCases.map(\.name).joined(separator: ", "))
        }
        if let problem = operation.problem(withMagnitude: magnitude) {
            throw ValidationError("--op \(op) \(problem)")
        }
        return operation
    }

    private static func usage(_ operation: StrongOperation) -> String {
        "  \(operation.name.padding(toLength: 13, withPad: " ", startingAt: 0)) \(operation.magnitudeUnits)"
    }
}
