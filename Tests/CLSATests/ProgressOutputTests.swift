import Foundation
import XCTest

/// `clsa pretrain`'s progress on a pseudo-terminal, as a person at a terminal and the ranks of
/// an `mpirun` job (Open MPI gives each a pseudo-terminal) see it: a bar redrawn in place only
/// for the person, plain lines for the ranks, and `--progress` overriding either.
final class ProgressOutputTests: XCTestCase {
    private var folder: String!
    private var data: String!

    /// The escape that redraws the bar: carriage return, then erase to the end of the line.
    private let redraw = "\r\u{1B}[K"

    override func setUpWithError() throws {
        folder = try PretrainingFixtures.temporaryFolder(for: self)
        data = folder + "/images"
        try PretrainingFixtures.imageFolder(at: data, count: 32)
    }

    /// The standard output of a 4-step run on a pseudo-terminal (`script`), with `environment`
    /// added and `extra` flags.
    private func pretrainOnTerminal(environment: [String: String] = [:], _ extra: [String] = []) throws -> String {
        let clsa = try ClsaExecutable.path()
        let arguments: [String] = [clsa, "pretrain", "--data", data, "--arch", "resnet18-small", "--base-width", "4",
                         "--image-size", "16", "--strong-sizes", "8", "--batch-size", "8", "--queue-size", "32",
                         "--dim", "16", "--hidden", "16", "--epochs", "1", "--threads", "1", "--workers", "0",
                         "--out", folder + "/run-\(UUID().uuidString)"] + extra
        let command = arguments.map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        process.arguments = ["-qec", command, "/dev/null"]
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let output = Pipe()
        process.standardOutput = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, text)
        XCTAssertTrue(text.contains("done: 4/4 steps"), text)
        return text
    }

    func testTerminalGetsTheBar() throws {
        XCTAssertTrue(try pretrainOnTerminal().contains(redraw))
    }

    func testMPIRankGetsPlainLines() throws {
        for variable in ["OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK"] {
            let text = try pretrainOnTerminal(environment: [variable: "0"])
            XCTAssertFalse(text.contains(redraw), variable)
            XCTAssertTrue(text.contains("epoch 1/1 step 4/4 (4/4)"), text)
        }
    }

    func testProgressFlagOverridesTheDefault() throws {
        XCTAssertFalse(try pretrainOnTerminal(["--progress", "lines"]).contains(redraw))
        XCTAssertTrue(try pretrainOnTerminal(environment: ["OMPI_COMM_WORLD_SIZE": "2"], ["--progress", "bar"]).contains(redraw))
    }

    func testUnknownProgressStyleIsAUsageError() throws {
        let outcome = try ClsaExecutable.run(["pretrain", "--progress", "dots"])
        XCTAssertEqual(outcome.status, 2, outcome.standardError)
        XCTAssertTrue(outcome.standardError.contains("--progress"), outcome.standardError)
    }
}
