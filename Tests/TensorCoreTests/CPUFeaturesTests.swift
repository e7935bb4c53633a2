import XCTest
@testable import TensorCore

final class CPUFeaturesTests: XCTestCase {
    func testParsesTheFirstProcessorBlockOfAnAVX512Xeon() throws {
        let cpu = try XCTUnwrap(CPUFeatures.parse(cpuinfo: CPUInfoSamples.intelSapphireRapids))
        XCTAssertEqual(cpu.modelName, "Intel(R) Xeon(R) Processor")
        XCTAssertEqual(cpu.vendor, "GenuineIntel")
        XCTAssertFalse(cpu.isAMD)
        for flag in ["avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512_bf16"] {
            XCTAssertTrue(cpu.has(flag), flag)
        }
        // Words are matched whole: "avx512" alone is no flag.
        XCTAssertFalse(cpu.has("avx512"))
        // The second block's short flag list must not replace the first's.
        XCTAssertEqual(cpu.flags.count, 118)
    }

    func testParsesAnAMDZen3() throws {
        let cpu = try XCTUnwrap(CPUFeatures.parse(cpuinfo: CPUInfoSamples.amdZen3))
        XCTAssertEqual(cpu.modelName, "AMD EPYC 7763 64-Core Processor")
        XCTAssertTrue(cpu.isAMD)
        XCTAssertTrue(cpu.has("avx2") && cpu.has("fma"))
        XCTAssertFalse(cpu.has("avx512f"))
    }

    /// `cpu family` tells Zen 4, which splits AVX-512 in two halves, from Zen 3 (the same
    /// family, no AVX-512) and from Intel's AVX-512 cores.
    func testFamilyTellsZen4ApartFromZen3AndXeon() throws {
        let zen4 = try XCTUnwrap(CPUFeatures.parse(cpuinfo: CPUInfoSamples.amdZen4))
        let zen3 = try XCTUnwrap(CPUFeatures.parse(cpuinfo: CPUInfoSamples.amdZen3))
        let xeon = try XCTUnwrap(CPUFeatures.parse(cpuinfo: CPUInfoSamples.intelSapphireRapids))
        XCTAssertEqual(zen4.modelName, "AMD EPYC")
        XCTAssertEqual([zen4.family, zen3.family, xeon.family], [25, 25, 6])
        XCTAssertTrue(zen4.has("avx512_bf16"))
        XCTAssertEqual([zen4.splitsAVX512, zen3.splitsAVX512, xeon.splitsAVX512], [true, false, false])
        var zen5 = zen4
        zen5.family = 26
        XCTAssertFalse(zen5.splitsAVX512)
        XCTAssertNil(CPUFeatures.parse(cpuinfo: "vendor_id\t: AuthenticAMD\nflags\t\t: avx2\n\n")?.family)
    }

    func testParsesAnSSEOnlyCore2() throws {
        let cpu = try XCTUnwrap(CPUFeatures.parse(cpuinfo: CPUInfoSamples.intelCore2))
        XCTAssertEqual(cpu.modelName, "Intel(R) Core(TM)2 Duo CPU     E8400  @ 3.00GHz")
        XCTAssertTrue(cpu.has("sse4_1"))
        XCTAssertFalse(cpu.has("avx"))
    }

    func testTextWithoutFlagsSaysNothing() {
        XCTAssertNil(CPUFeatures.parse(cpuinfo: ""))
        XCTAssertNil(CPUFeatures.parse(cpuinfo: "processor\t: 0\nBogoMIPS\t: 50.00\nFeatures\t: fp asimd\n"))
    }

    func testLevelsOfTheSamples() throws {
        let levels = try [CPUInfoSamples.intelSapphireRapids, CPUInfoSamples.amdZen3, CPUInfoSamples.intelCore2]
            .map { try BLASKernelLevel(supportedBy: XCTUnwrap(CPUFeatures.parse(cpuinfo: $0))) }
        XCTAssertEqual(levels, [.avx512BF16, .avx2, .sse])
    }
}
