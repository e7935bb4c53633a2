import Foundation
import XCTest
@testable import TensorCore

final class BLASKernelTests: XCTestCase {
    private static func cpu(_ vendor: String, _ flags: String, family: Int? = nil) -> CPUFeatures {
        CPUFeatures(modelName: "test", vendor: vendor, flags: Set(flags.split(separator: " ").map(String.init)), family: family)
    }

    private static let avx512 = "sse sse2 avx avx2 fma avx512f avx512bw avx512vl avx512dq"
    private static let sapphireRapids = cpu("GenuineIntel", avx512 + " avx512_bf16")
    private static let skylakeX = cpu("GenuineIntel", avx512)
    private static let zen4 = cpu("AuthenticAMD", avx512 + " avx512_bf16", family: 25)
    private static let zen5 = cpu("AuthenticAMD", avx512 + " avx512_bf16", family: 26)
    private static let haswell = cpu("GenuineIntel", "sse sse2 avx avx2 fma")
    private static let zen3 = cpu("AuthenticAMD", "sse sse2 avx avx2 fma")
    private static let sandyBridge = cpu("GenuineIntel", "sse sse2 avx")
    private static let core2 = cpu("GenuineIntel", "sse sse2 ssse3 sse4_1")
    /// AVX-512 F without BW/VL/DQ (Knights Landing): not enough for the SkylakeX kernel.
    private static let knightsLanding = cpu("GenuineIntel", "sse sse2 avx avx2 fma avx512f avx512cd")

    private func relaunch(_ inUse: String, _ recommended: String) -> BLASKernelAction {
        .relaunch(BLASKernelMismatch(inUse: inUse, recommended: recommended, userCoreType: nil))
    }

    private func warn(_ inUse: String, _ recommended: String, user: String? = nil) -> BLASKernelAction {
        .warn(BLASKernelMismatch(inUse: inUse, recommended: recommended, userCoreType: user))
    }

    private typealias Row = (inUse: String, cpu: CPUFeatures?, user: String?, relaunched: Bool,
                             expected: BLASKernelAction, line: UInt)

    /// Checks `BLASKernel.decide` for `workload` against each row's expected action.
    private func checkDecisions(_ rows: [Row], workload: BLASWorkload) {
        for row in rows {
            let action = BLASKernel.decide(inUse: row.inUse, cpu: row.cpu, userCoreType: row.user,
                                           relaunched: row.relaunched, workload: workload)
            XCTAssertEqual(action, row.expected,
                           "\(row.inUse) × \(row.cpu?.flags.sorted().last ?? "nil") × \(row.user ?? "unset") × relaunched \(row.relaunched)",
                           line: row.line)
        }
    }

    func testDecisionTable() {
        let rows: [Row] = [
            // The issue's case: a new Xeon detected as Prescott.
            ("Prescott", Self.sapphireRapids, nil, false, relaunch("Prescott", "Cooperlake"), #line),
            ("prescott", Self.sapphireRapids, nil, false, relaunch("prescott", "Cooperlake"), #line),
            ("Prescott", Self.sapphireRapids, "", false, relaunch("Prescott", "Cooperlake"), #line),
            ("Nehalem", Self.sapphireRapids, nil, false, relaunch("Nehalem", "Cooperlake"), #line),
            ("Haswell", Self.sapphireRapids, nil, false, relaunch("Haswell", "Cooperlake"), #line),
            ("SkylakeX", Self.sapphireRapids, nil, false, relaunch("SkylakeX", "Cooperlake"), #line),
            ("Prescott", Self.skylakeX, nil, false, relaunch("Prescott", "SkylakeX"), #line),
            ("Sandybridge", Self.haswell, nil, false, relaunch("Sandybridge", "Haswell"), #line),
            ("Prescott", Self.zen3, nil, false, relaunch("Prescott", "Zen"), #line),
            ("Zen", Self.zen4, nil, false, relaunch("Zen", "Cooperlake"), #line),
            ("Haswell", Self.knightsLanding, nil, false, .keep, #line),
            // Already the CPU's level: a correct detection is never overridden.
            ("Cooperlake", Self.sapphireRapids, nil, false, .keep, #line),
            ("SapphireRapids", Self.sapphireRapids, nil, false, .keep, #line),
            ("SkylakeX", Self.skylakeX, nil, false, .keep, #line),
            ("Zen", Self.zen3, nil, false, .keep, #line),
            ("Haswell", Self.zen3, nil, false, .keep, #line),
            ("Zen", Self.haswell, nil, false, .keep, #line),
            ("Excavator", Self.zen3, nil, false, .keep, #line),
            ("Cooperlake", Self.zen4, nil, false, .keep, #line),
            // Newer than the CPU: only a user's setting gets there, and OpenBLAS itself falls back.
            ("Cooperlake", Self.haswell, "Cooperlake", false, .keep, #line),
            // Below AVX2 nothing is recommended: OpenBLAS's own pick stands.
            ("Sandybridge", Self.sandyBridge, nil, false, .keep, #line),
            ("Prescott", Self.sandyBridge, nil, false, .keep, #line),
            ("Core2", Self.core2, nil, false, .keep, #line),
            ("Prescott", Self.core2, nil, false, .keep, #line),
            // Unknown CPU or unknown core name: nothing to compare.
            ("Prescott", nil, nil, false, .keep, #line),
            ("Prescott", nil, "Prescott", true, .keep, #line),
            ("NewCore9000", Self.sapphireRapids, nil, false, .keep, #line),
            // The user's OPENBLAS_CORETYPE is always obeyed; an older choice is only reported.
            ("Prescott", Self.sapphireRapids, "Prescott", false, warn("Prescott", "Cooperlake", user: "Prescott"), #line),
            ("Haswell", Self.sapphireRapids, "Haswell", false, warn("Haswell", "Cooperlake", user: "Haswell"), #line),
            ("Prescott", Self.zen3, "Prescott", false, warn("Prescott", "Zen", user: "Prescott"), #line),
            ("Prescott", Self.sapphireRapids, "Zen9", false, warn("Prescott", "Cooperlake", user: "Zen9"), #line),
            ("Haswell", Self.haswell, "Haswell", false, .keep, #line),
            ("Cooperlake", Self.sapphireRapids, "Cooperlake", true, .keep, #line),
            // After one relaunch, never another: a core that still lags is only reported.
            ("Prescott", Self.sapphireRapids, nil, true, warn("Prescott", "Cooperlake"), #line),
            ("Prescott", Self.sapphireRapids, "Cooperlake", true, warn("Prescott", "Cooperlake", user: "Cooperlake"), #line),
            ("Cooperlake", Self.sapphireRapids, "Cooperlake", true, .keep, #line),
        ]
        checkDecisions(rows, workload: .general)
    }

    /// The wide workload (ResNet-50) takes the Zen kernel on Zen 4, whose AVX-512 runs as two
    /// halves, whatever OpenBLAS detected; everywhere else it takes the general choice.
    func testWideWorkloadDecisions() {
        let rows: [Row] = [
            // What OpenBLAS 0.3.21 detects on Zen 4, and anything older.
            ("Cooperlake", Self.zen4, nil, false, relaunch("Cooperlake", "Zen"), #line),
            ("SkylakeX", Self.zen4, nil, false, relaunch("SkylakeX", "Zen"), #line),
            ("Prescott", Self.zen4, nil, false, relaunch("Prescott", "Zen"), #line),
            ("Zen", Self.zen4, nil, false, .keep, #line),
            ("Haswell", Self.zen4, nil, false, .keep, #line),
            // A chosen AVX-512 kernel is kept quietly (Scripts/blas-env chooses Cooperlake); one relaunch only.
            ("Cooperlake", Self.zen4, "Cooperlake", false, .keep, #line),
            ("Cooperlake", Self.zen4, nil, true, .keep, #line),
            ("Prescott", Self.zen4, "Prescott", false, warn("Prescott", "Zen", user: "Prescott"), #line),
            // Full-width AVX-512 (Intel, Zen 5) keeps its newest kernel.
            ("Cooperlake", Self.sapphireRapids, nil, false, .keep, #line),
            ("Prescott", Self.sapphireRapids, nil, false, relaunch("Prescott", "Cooperlake"), #line),
            ("Cooperlake", Self.zen5, nil, false, .keep, #line),
            ("Zen", Self.zen3, nil, false, .keep, #line),
        ]
        checkDecisions(rows, workload: .wide)
        // The general workload on Zen 4 keeps the AVX-512 kernel OpenBLAS detected.
        XCTAssertEqual(BLASKernel.decide(inUse: "Cooperlake", cpu: Self.zen4, userCoreType: nil, relaunched: false), .keep)
        XCTAssertEqual(BLASKernel.decide(inUse: "Zen", cpu: Self.zen4, userCoreType: nil, relaunched: false),
                       relaunch("Zen", "Cooperlake"))
    }

    func testCoreLevelsFollowTheInstructionSets() {
        let ordered = ["Prescott", "Sandybridge", "Haswell", "SkylakeX", "Cooperlake"]
        let levels = ordered.compactMap(BLASKernelLevel.init(core:))
        XCTAssertEqual(levels, [.sse, .avx, .avx2, .avx512, .avx512BF16])
        XCTAssertEqual(levels, levels.sorted())
        for name in ["Core2", "Penryn", "Dunnington", "Nehalem", "Atom", "Opteron(SSE3)", "Barcelona"] {
            XCTAssertEqual(BLASKernelLevel(core: name), .sse, name)
        }
        XCTAssertEqual(BLASKernelLevel(core: "Zen"), BLASKernelLevel(core: "Haswell"))
        XCTAssertNil(BLASKernelLevel(core: "Zen9"))
    }

    func testRecommendedCores() {
        XCTAssertEqual(BLASKernel.recommendedCore(for: Self.sapphireRapids), "Cooperlake")
        XCTAssertEqual(BLASKernel.recommendedCore(for: Self.zen4), "Cooperlake")
        XCTAssertEqual(BLASKernel.recommendedCore(for: Self.skylakeX), "SkylakeX")
        XCTAssertEqual(BLASKernel.recommendedCore(for: Self.haswell), "Haswell")
        XCTAssertEqual(BLASKernel.recommendedCore(for: Self.zen3), "Zen")
        XCTAssertEqual(BLASKernel.recommendedCore(for: Self.knightsLanding), "Haswell")
        XCTAssertNil(BLASKernel.recommendedCore(for: Self.sandyBridge))
        XCTAssertNil(BLASKernel.recommendedCore(for: Self.core2))
        XCTAssertEqual(BLASKernel.recommendedCore(for: Self.zen4, workload: .wide), "Zen")
        XCTAssertEqual(BLASKernel.recommendedCore(for: Self.zen5, workload: .wide), "Cooperlake")
        XCTAssertEqual(BLASKernel.recommendedCore(for: Self.sapphireRapids, workload: .wide), "Cooperlake")
        XCTAssertEqual(BLASKernel.recommendedCore(for: Self.zen3, workload: .wide), "Zen")
        XCTAssertNil(BLASKernel.recommendedCore(for: Self.core2, workload: .wide))
    }

    func testWarningsNameTheCoresAndTheFix() {
        let detected = BLASKernelMismatch(inUse: "Prescott", recommended: "Cooperlake", userCoreType: nil)
        XCTAssertTrue(detected.message.contains("Prescott"))
        XCTAssertTrue(detected.message.contains("set OPENBLAS_CORETYPE=Cooperlake"))
        XCTAssertFalse(detected.message.contains("\n"))
        let chosen = BLASKernelMismatch(inUse: "Haswell", recommended: "Cooperlake", userCoreType: "Haswell")
        XCTAssertTrue(chosen.message.contains("(OPENBLAS_CORETYPE=Haswell)"))
        XCTAssertFalse(chosen.message.contains("set OPENBLAS_CORETYPE"))
        // Newer than the workload's best (the wide workload on Zen 4): "slower", not "older".
        let wide = BLASKernelMismatch(inUse: "Cooperlake", recommended: "Zen", userCoreType: nil)
        XCTAssertTrue(wide.message.contains("slower on this CPU's wide GEMMs than its Zen kernel"), wide.message)
        XCTAssertTrue(wide.message.contains("set OPENBLAS_CORETYPE=Zen"))
        XCTAssertFalse(wide.message.contains("older"))
    }

    /// Scripts/blas-env (sourced by Scripts/test) must pick what `recommendedCore(for:)` picks.
    func testShellScriptMakesTheSameChoice() throws {
        let script = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Scripts/blas-env")
        let samples = [CPUInfoSamples.intelSapphireRapids, CPUInfoSamples.amdZen3, CPUInfoSamples.intelCore2,
                       "vendor_id\t: GenuineIntel\nflags\t\t: sse avx avx2 fma avx512f avx512bw avx512vl avx512dq\n",
                       "vendor_id\t: GenuineIntel\nflags\t\t: sse avx avx2 fma\n"]
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("cpuinfo-\(getpid())")
        defer { try? FileManager.default.removeItem(at: file) }
        for sample in samples {
            try sample.write(to: file, atomically: true, encoding: .utf8)
            let expected = try BLASKernel.recommendedCore(for: XCTUnwrap(CPUFeatures.parse(cpuinfo: sample)))
            XCTAssertEqual(try chosenByScript(script, cpuinfo: file, userCoreType: nil), expected ?? "")
            XCTAssertEqual(try chosenByScript(script, cpuinfo: file, userCoreType: "Haswell"), "Haswell")
        }
    }

    /// `OPENBLAS_CORETYPE` after sourcing `script` with `BLAS_ENV_CPUINFO=cpuinfo`.
    private func chosenByScript(_ script: URL, cpuinfo: URL, userCoreType: String?) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", ". \"$0\"; printf %s \"${OPENBLAS_CORETYPE:-}\"", script.path]
        var environment = ProcessInfo.processInfo.environment
        environment["BLAS_ENV_CPUINFO"] = cpuinfo.path
        environment["OPENBLAS_CORETYPE"] = userCoreType
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        return String(decoding: data, as: UTF8.self)
    }
}
