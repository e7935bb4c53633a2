import Benchmarking
import TensorCore
import XCTest
@testable import CLSA

final class TrainingStepBenchmarkTests: XCTestCase {
    private func configuration(beta: Double) -> PretrainingConfiguration {
        var c = PretrainingFixtures.tinyConfiguration()
        c.beta = beta
        return c
    }

    /// The nominal FLOPs per image follow the rule: F(s) = 2·(multiply-adds of one encoder
    /// forward pass at s px) per image; key F(16) + weak query 3·F(16) + strong query 3·F(8),
    /// plus the logits against [k, Q] (1 + K = 33 columns of D = 16), 3 times for L_C and 3 for L_D.
    func testNominalFlopsFollowTheRule() throws {
        var random = SeededRandom(seed: 0)
        let encoder = Encoder(backbone: try configuration(beta: 1).backbone(), hidden: 16, dimension: 16, random: &random)
        func forwardFlops(side: Int) -> Double {
            OpProfile.start()
            _ = withoutGradients { encoder(Tensor(shape: [8, 3, side, side], repeating: 0.5)) }
            let count = OpProfile.multiplyAdds
            _ = OpProfile.stop()
            return 2 * Double(count) / 8
        }
        let logits = 2.0 * 16 * (1 + 32)
        let clsa = try TrainingStepBenchmark.measure(configuration(beta: 1), threadCounts: [1], warmups: 0, repetitions: 1)
        let moco = try TrainingStepBenchmark.measure(configuration(beta: 0), threadCounts: [1], warmups: 0, repetitions: 1)
        XCTAssertEqual(clsa[0].flopsPerImage, 4 * forwardFlops(side: 16) + 3 * forwardFlops(side: 8) + 6 * logits, accuracy: 1)
        XCTAssertEqual(moco[0].flopsPerImage, 4 * forwardFlops(side: 16) + 3 * logits, accuracy: 1)
        XCTAssertEqual(clsa[0].stepSeconds.samples.count, 1)
        let profiled = clsa[0].secondsByKind
        XCTAssertGreaterThan(profiled[.convolutionGEMM]!, 0)
        XCTAssertGreaterThan(profiled[.batchNorm]!, 0)
        XCTAssertGreaterThan(profiled[.loss]!, 0)
    }
}
