import XCTest
@testable import TensorCore

final class OpenBLASEnvironmentTests: XCTestCase {
    private let mismatch = BLASKernelMismatch(inUse: "Prescott", recommended: "Cooperlake", userCoreType: nil)

    func testSetsTheKernelAndTheThreadTimeout() {
        XCTAssertEqual(OpenBLASEnvironment.relaunchSettings(kernel: .relaunch(mismatch), environment: [:]),
                       ["OPENBLAS_CORETYPE": "Cooperlake", "OPENBLAS_THREAD_TIMEOUT": "4"])
    }

    func testRightKernelStillGetsTheThreadTimeout() {
        XCTAssertEqual(OpenBLASEnvironment.relaunchSettings(kernel: .keep, environment: ["HOME": "/root"]),
                       ["OPENBLAS_THREAD_TIMEOUT": "4"])
        XCTAssertEqual(OpenBLASEnvironment.relaunchSettings(kernel: .keep, environment: ["OPENBLAS_THREAD_TIMEOUT": ""]),
                       ["OPENBLAS_THREAD_TIMEOUT": "4"])
    }

    func testUsersSettingsAreKept() {
        XCTAssertEqual(OpenBLASEnvironment.relaunchSettings(kernel: .warn(mismatch), environment: ["OPENBLAS_THREAD_TIMEOUT": "28"]),
                       [:])
        XCTAssertEqual(OpenBLASEnvironment.relaunchSettings(kernel: .relaunch(mismatch), environment: ["OPENBLAS_THREAD_TIMEOUT": "10"]),
                       ["OPENBLAS_CORETYPE": "Cooperlake"])
    }

    /// The marker names what the relaunch set, so a child `clsa` can start from the user's
    /// own environment and choose for its own workload; the user's variables stay.
    func testEnvironmentBeforeRelaunchDropsOnlyWhatTheRelaunchSet() {
        let settings = ["OPENBLAS_CORETYPE": "Zen", "OPENBLAS_THREAD_TIMEOUT": "4"]
        let marker = OpenBLASEnvironment.relaunchMarkerValue(for: settings)
        XCTAssertEqual(marker, "OPENBLAS_CORETYPE,OPENBLAS_THREAD_TIMEOUT")
        XCTAssertEqual(OpenBLASEnvironment.relaunchMarkerValue(for: [:]), "1")
        let relaunched = settings.merging(["HOME": "/root", BLASKernel.relaunchMarker: marker]) { $1 }
        XCTAssertEqual(OpenBLASEnvironment.environmentBeforeRelaunch(relaunched), ["HOME": "/root"])
        let userCore = ["OPENBLAS_CORETYPE": "Haswell", "OPENBLAS_THREAD_TIMEOUT": "4",
                        BLASKernel.relaunchMarker: "OPENBLAS_THREAD_TIMEOUT"]
        XCTAssertEqual(OpenBLASEnvironment.environmentBeforeRelaunch(userCore), ["OPENBLAS_CORETYPE": "Haswell"])
        XCTAssertEqual(OpenBLASEnvironment.environmentBeforeRelaunch(["PATH": "/bin", BLASKernel.relaunchMarker: "1"]),
                       ["PATH": "/bin"])
        // Only OpenBLAS's variables are ever taken out.
        XCTAssertEqual(OpenBLASEnvironment.environmentBeforeRelaunch(["PATH": "/bin", BLASKernel.relaunchMarker: "PATH"]),
                       ["PATH": "/bin"])
        XCTAssertEqual(OpenBLASEnvironment.environmentBeforeRelaunch(["PATH": "/bin"]), ["PATH": "/bin"])
    }

    func testNeverRelaunchesTwice() {
        XCTAssertEqual(OpenBLASEnvironment.relaunchSettings(kernel: .keep, environment: [BLASKernel.relaunchMarker: "1"]), [:])
    }
}
