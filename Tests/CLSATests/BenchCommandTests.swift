import XCTest

/// `clsa bench`'s pretraining-step figures, as the performance work and its checks read them.
final class BenchCommandTests: XCTestCase {
    /// The `name: value` lines of `outcome`'s report whose value is a number.
    private func figures(_ outcome: ClsaExecutable.Outcome) -> [String: Double] {
        var figures: [String: Double] = [:]
        for line in outcome.standardOutput.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if parts.count == 2, let value = Double(parts[1]) { figures[parts[0]] = value }
        }
        return figures
    }

    func testFashionMNISTSectionPrintsTheStepFigures() throws {
        let outcome = try ClsaExecutable.run(["bench", "--only", "fashion-mnist", "--quick", "--threads", "2"])
        XCTAssertEqual(outcome.status, 0, outcome.standardError)
        let figures = figures(outcome)
        for name in ["fashion_mnist_clsa_single_images_per_s", "fashion_mnist_moco_images_per_s",
                     "fashion_mnist_clsa_single_images_per_s_1_thread", "fashion_mnist_moco_images_per_s_1_thread",
                     "fashion_mnist_clsa_single_effective_gflops", "fashion_mnist_clsa_single_thread_scaling",
                     "fashion_mnist_peak_rss_mb"] {
            XCTAssertGreaterThan(figures[name] ?? 0, 0, "\(name) missing or not positive in:\n\(outcome.standardOutput)")
        }
        XCTAssertNotNil(figures["fashion_mnist_clsa_single_storage_allocations_outside_pool_per_step"])
        XCTAssertTrue(outcome.standardOutput.contains("fashion_mnist_clsa_single_blas_core: "), outcome.standardOutput)
        let shares = figures.filter { $0.key.hasPrefix("fashion_mnist_clsa_single_time_share_") }
        XCTAssertEqual(shares.count, 12)  // one per `OpProfile.Kind`
        XCTAssertEqual(shares.values.reduce(0, +), 1, accuracy: 0.01)
        // Every kind past 0.5 % of the step has its own scaling: convolutions' GEMMs at least.
        let kindScaling = figures.filter { $0.key.hasPrefix("fashion_mnist_clsa_single_thread_scaling_") }
        XCTAssertGreaterThan(kindScaling["fashion_mnist_clsa_single_thread_scaling_convolution_gemm"] ?? 0, 0,
                             outcome.standardOutput)
        XCTAssertLessThanOrEqual(kindScaling.count, shares.count)
        // The strong view adds its passes: a CLSA image costs more nominal FLOPs than a MoCo one.
        XCTAssertGreaterThan(figures["fashion_mnist_clsa_single_gflop_per_image"]!, figures["fashion_mnist_moco_gflop_per_image"]!)
    }

    /// On two replicas on threads, rank 0 alone reports: each figure once, the processes
    /// counted, the time shares its own and summing to one.
    func testThreadReplicasReportOnce() throws {
        let outcome = try ClsaExecutable.run(["bench", "--only", "fashion-mnist", "--quick", "--threads", "2",
                                              "--distributed", "threads"])
        XCTAssertEqual(outcome.status, 0, outcome.standardError)
        let lines = outcome.standardOutput.split(separator: "\n")
        XCTAssertEqual(lines.filter { $0.hasPrefix("fashion_mnist_clsa_single_images_per_s:") }.count, 1, outcome.standardOutput)
        let figures = figures(outcome)
        XCTAssertEqual(figures["processes"], 2)
        XCTAssertGreaterThan(figures["fashion_mnist_moco_images_per_s"] ?? 0, 0, outcome.standardOutput)
        let shares = figures.filter { $0.key.hasPrefix("fashion_mnist_clsa_single_time_share_") }
        XCTAssertEqual(shares.values.reduce(0, +), 1, accuracy: 0.01)
        XCTAssertGreaterThan(figures["fashion_mnist_clsa_single_time_share_collective"] ?? 0, 0)
    }

    func testUnknownSectionIsRefused() throws {
        let outcome = try ClsaExecutable.run(["bench", "--only", "clsa-double"])
        XCTAssertNotEqual(outcome.status, 0)
        XCTAssertTrue(outcome.standardError.contains("clsa-single"), outcome.standardError)
    }
}
