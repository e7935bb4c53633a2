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

    func testNeverRelaunchesTwice() {
        XCTAssertEqual(OpenBLASEnvironment.relaunchSettings(kernel: .keep, environment: [BLASKernel.relaunchMarker: "1"]), [:])
    }
}
