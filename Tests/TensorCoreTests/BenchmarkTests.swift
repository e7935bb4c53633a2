import Benchmarking
import Foundation
import XCTest
@testable import TensorCore

/// Measurements, not checks of behaviour: they run only when asked for, in a release build.
///   CLSA_LAYOUT_BENCH=1 swift test -c release --filter BenchmarkTests
final class BenchmarkTests: XCTestCase {
    override func setUpWithError() throws {
        try XCTSkipUnless(ProcessInfo.processInfo.environment["CLSA_LAYOUT_BENCH"] == "1",
                          "set CLSA_LAYOUT_BENCH=1 to run the benchmarks")
    }

    func testLayoutGEMMThroughput() {
        print("threads \(Threading.threadCount); GFLOP/s, batch 32: one GEMM (CNHW) vs per-image GEMMs (NCHW)")
        for r in LayoutBenchmark.run() {
            let s = r.shape
            print(String(format: "%-22@ m %5d k %5d n %5d×%-3d  CNHW %7.1f  NCHW %7.1f  ratio %.2f",
                         s.name as NSString, s.outChannels, s.reduction, s.positions, r.batch,
                         r.channelMajorGFLOPS, r.batchMajorGFLOPS, r.channelMajorGFLOPS / r.batchMajorGFLOPS))
            XCTAssertGreaterThan(r.channelMajorGFLOPS, 0)
            XCTAssertGreaterThan(r.batchMajorGFLOPS, 0)
        }
    }

    func testConvolutionPhases() {
        let shapes: [(name: String, cin: Int, cout: Int, k: Int, s: Int, p: Int, size: Int)] = [
            ("layer1 3x3 64->64 56x56", 64, 64, 3, 1, 1, 56),
            ("conv1 7x7/2 3->64 224x224", 3, 64, 7, 2, 3, 224),
        ]
        print("threads \(Threading.threadCount); milliseconds per phase, batch 32")
        for shape in shapes {
            let p = ConvolutionBenchmark.measure(inChannels: shape.cin, outChannels: shape.cout, kernelSize: shape.k,
                                                 stride: shape.s, padding: shape.p,
                                                 height: shape.size, width: shape.size, batch: 32)
            print(String(format: "%@: im2col %.1f  fwd GEMM %.1f  dW GEMM %.1f  dcol GEMM %.1f  col2im %.1f  total %.1f",
                         shape.name as NSString, p.im2col * 1e3, p.forwardGEMM * 1e3, p.weightGradientGEMM * 1e3,
                         p.columnGradientGEMM * 1e3, p.col2im * 1e3, p.total * 1e3))
            XCTAssertGreaterThan(p.total, 0)
        }
    }
}
