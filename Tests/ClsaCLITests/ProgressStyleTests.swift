import XCTest
@testable import ClsaCLI

/// `--progress`'s default: a bar only for a person at a terminal, never on an MPI rank.
final class ProgressStyleTests: XCTestCase {
    func testBarOnlyOnATerminalOutsideMPI() {
        XCTAssertEqual(ProgressStyle.automatic(standardOutputIsTerminal: true, environment: [:]), .bar)
        XCTAssertEqual(ProgressStyle.automatic(standardOutputIsTerminal: false, environment: [:]), .lines)
        for variable in ["OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK"] {
            XCTAssertEqual(ProgressStyle.automatic(standardOutputIsTerminal: true, environment: [variable: "0"]), .lines,
                           variable)
        }
        XCTAssertEqual(ProgressStyle.automatic(standardOutputIsTerminal: true, environment: ["OMPI_OTHER": "1"]), .bar)
    }

    /// Messages name flags, not the library's field names.
    func testMessagesNameTheFlags() {
        XCTAssertEqual(FlagNames.translate("`finalProbe` knn needs `validationData`"), "--final-probe knn needs --val-data")
        XCTAssertEqual(FlagNames.translate("`unknownField` stays"), "`unknownField` stays")
    }
}
