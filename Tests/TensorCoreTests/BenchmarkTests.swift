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

    /// Forward and backward milliseconds of the 3×3 stride-1 convolutions of the `fashion-mnist`
    /// preset's network (batch 64, its 14 and 20 px strong views included) and ResNet-50 (batch
    /// 32, its 96 px strong view included), by im2col, Winograd F(2×2, 3×3) and F(4×4, 3×3),
    /// alternating so that host drift hits all three; the budget of each path's blocks is the
    /// tuned one. Each figure is the median of 3 rounds.
    func testWinogradAgainstIm2col() {
        let shapes: [(name: String, channels: Int, size: Int, batch: Int)] = [
            ("small layer1 16 32px", 16, 32, 64), ("small layer2 32 16px", 32, 16, 64),
            ("small layer3 64 8px", 64, 8, 64), ("small layer4 128 4px", 128, 4, 64),
            ("small strong layer1 16 14px", 16, 14, 64), ("small strong layer2 32 7px", 32, 7, 64),
            ("small strong layer1 16 20px", 16, 20, 64), ("small strong layer2 32 10px", 32, 10, 64),
            ("small strong layer3 64 5px", 64, 5, 64), ("small strong layer4 128 3px", 128, 3, 64),
            ("resnet50 layer1 64 56px", 64, 56, 32), ("resnet50 layer2 128 28px", 128, 28, 32),
            ("resnet50 layer3 256 14px", 256, 14, 32), ("resnet50 layer4 512 7px", 512, 7, 32),
            ("resnet50 strong layer1 64 24px", 64, 24, 32), ("resnet50 strong layer4 512 3px", 512, 3, 32),
        ]
        typealias Path = ConvolutionBenchmark.Path
        print("threads \(Threading.threadCount); ms forward / backward, median of 3 rounds; chosen: the size rule's variant")
        for shape in shapes {
            var rounds: [Path: [ConvolutionBenchmark.Timing]] = [:]
            for _ in 0..<3 {
                for path in Path.allCases {
                    rounds[path, default: []].append(ConvolutionBenchmark.measure(
                        inChannels: shape.channels, outChannels: shape.channels, kernelSize: 3, padding: 1,
                        height: shape.size, width: shape.size, batch: shape.batch, path: path, repetitions: 3))
                }
            }
            func median(_ path: Path, _ part: (ConvolutionBenchmark.Timing) -> Double) -> Double {
                rounds[path]!.map(part).sorted()[1] * 1e3
            }
            let times = Path.allCases.map { path in (median(path) { $0.forward }, median(path) { $0.backward }) }
            let chosen = ConvolutionTuning.winogradVariant(height: shape.size, width: shape.size, channels: shape.channels,
                                                                   outChannels: shape.channels)
            print(String(format: "%-32@ im2col %7.2f / %7.2f  F2 %7.2f / %7.2f  F4 %7.2f / %7.2f  speed-up F2 %.2f F4 %.2f  chosen %@",
                         shape.name as NSString, times[0].0, times[0].1, times[1].0, times[1].1, times[2].0, times[2].1,
                         (times[0].0 + times[0].1) / (times[1].0 + times[1].1),
                         (times[0].0 + times[0].1) / (times[2].0 + times[2].1), "\(chosen)" as NSString))
            XCTAssertGreaterThan(times[2].0 + times[2].1, 0)
        }
    }

    /// Forward + backward milliseconds of the Winograd convolutions with small weights, on one
    /// thread, in blocks by the column rule (`columnBudgetBytes`, at least `minimumBlockColumns`
    /// tiles: these convolutions' blocks before the cache rule) and in blocks of V + M of
    /// 512 KiB, 1 MiB and 2 MiB (`winogradBlockBytes`), alternating; medians of 5 rounds.
    func testWinogradBlockBudgets() {
        let shapes: [(name: String, channels: Int, size: Int, batch: Int)] = [
            ("small layer1 16 32px", 16, 32, 64), ("small layer2 32 16px", 32, 16, 64),
            ("small layer3 64 8px", 64, 8, 64), ("small layer4 128 4px", 128, 4, 64),
            ("small strong layer1 16 14px", 16, 14, 64), ("small strong layer2 32 7px", 32, 7, 64),
            ("resnet50 layer1 64 56px", 64, 56, 32), ("resnet50 layer2 128 28px", 128, 28, 32),
            ("resnet50 strong layer1 64 24px", 64, 24, 32),
        ]
        let budgets: [Int?] = [nil, 512 << 10, 1 << 20, 2 << 20]
        print("threads 1; forward + backward ms, median of 5 rounds: column rule | V + M per block 512 KiB, 1 MiB, 2 MiB")
        let saved = (ConvolutionTuning.perThreadWeightLimit, ConvolutionTuning.winogradBlockBytes)
        defer { (ConvolutionTuning.perThreadWeightLimit, ConvolutionTuning.winogradBlockBytes) = saved }
        Threading.withThreadCount(1) {
            for shape in shapes {
                var rounds = [[Double]](repeating: [], count: budgets.count)
                for _ in 0..<5 {
                    for (index, budget) in budgets.enumerated() {
                        // At one thread the split is moot: a limit of 0 only turns the cache rule off.
                        ConvolutionTuning.perThreadWeightLimit = budget == nil ? 0 : saved.0
                        ConvolutionTuning.winogradBlockBytes = budget ?? saved.1
                        let t = ConvolutionBenchmark.measure(inChannels: shape.channels, outChannels: shape.channels,
                                                             kernelSize: 3, padding: 1, height: shape.size,
                                                             width: shape.size, batch: shape.batch, repetitions: 3)
                        rounds[index].append((t.forward + t.backward) * 1e3)
                    }
                }
                let medians = rounds.map { $0.sorted()[2] }
                print(String(format: "%-32@ columns %7.2f | %7.2f %7.2f %7.2f  time at 1 MiB over columns %.2f",
                             shape.name as NSString, medians[0], medians[1], medians[2], medians[3],
                             medians[2] / medians[0]))
                XCTAssertGreaterThan(medians[2], 0)
            }
        }
    }

    /// Forward + backward milliseconds per convolution at the shapes of the `fashion-mnist`
    /// preset's network (batch 64) and ResNet-50 (batch 32): blocks shared by the threads with
    /// dX by col2im (the earlier code), then with the transposed dX, then one share per thread,
    /// each at several column budgets.
    func testConvolutionBlockingVariants() {
        let shapes: [(name: String, cin: Int, cout: Int, k: Int, s: Int, p: Int, size: Int, batch: Int)] = [
            ("small layer1 3x3 16->16 32", 16, 16, 3, 1, 1, 32, 64),
            ("small layer2 3x3 32->32 16", 32, 32, 3, 1, 1, 16, 64),
            ("small layer3 3x3 64->64 8", 64, 64, 3, 1, 1, 8, 64),
            ("small layer4 3x3 128->128 4", 128, 128, 3, 1, 1, 4, 64),
            ("small strong layer1 16->16 14", 16, 16, 3, 1, 1, 14, 64),
            ("small layer2 3x3/2 16->32 32", 16, 32, 3, 2, 1, 32, 64),
            ("resnet50 layer1 3x3 64->64 56", 64, 64, 3, 1, 1, 56, 32),
            ("resnet50 layer2 3x3 128->128 28", 128, 128, 3, 1, 1, 28, 32),
            ("resnet50 layer3 3x3 256->256 14", 256, 256, 3, 1, 1, 14, 32),
            ("resnet50 layer4 3x3 512->512 7", 512, 512, 3, 1, 1, 7, 32),
        ]
        let budgets = [2 << 20, 4 << 20, 16 << 20]
        print("threads \(Threading.threadCount); forward + backward ms; budgets \(budgets.map { $0 >> 20 }) MiB")
        for shape in shapes {
            var line = shape.name.padding(toLength: 32, withPad: " ", startingAt: 0)
            for (label, transposed, split) in [("col2im", false, false), ("transposed", true, false), ("per-thread", true, true)] {
                line += " | \(label)"
                for budget in budgets {
                    let t = ConvolutionBenchmark.measure(inChannels: shape.cin, outChannels: shape.cout,
                                                         kernelSize: shape.k, stride: shape.s, padding: shape.p,
                                                         height: shape.size, width: shape.size, batch: shape.batch,
                                                         columnBudgetBytes: budget, transposedInputGradient: transposed,
                                                         perThreadShares: split)
                    line += String(format: " %6.1f", t.total * 1e3)
                    XCTAssertGreaterThan(t.total, 0)
                }
            }
            print(line)
        }
    }

    /// Forward + backward milliseconds of every distinct convolution of ResNet-50 at batch 32
    /// (224 px; each shape's count in the network beside it) at one thread and at all threads,
    /// alternating, medians of 3 rounds: which convolutions the second thread does not speed up,
    /// weighted by their share of the network's convolution time at all threads.
    func testResNet50ConvolutionScaling() {
        let shapes: [(name: String, cin: Int, cout: Int, k: Int, s: Int, p: Int, size: Int, count: Int)] = [
            ("stem 7x7/2 3->64 224", 3, 64, 7, 2, 3, 224, 1),
            ("l1 1x1 64->64 56", 64, 64, 1, 1, 0, 56, 1),
            ("l1 1x1 256->64 56", 256, 64, 1, 1, 0, 56, 2),
            ("l1 3x3 64->64 56", 64, 64, 3, 1, 1, 56, 3),
            ("l1 1x1 64->256 56", 64, 256, 1, 1, 0, 56, 4),
            ("l2 1x1 256->128 56", 256, 128, 1, 1, 0, 56, 1),
            ("l2 3x3/2 128->128 56", 128, 128, 3, 2, 1, 56, 1),
            ("l2 1x1/2 256->512 56", 256, 512, 1, 2, 0, 56, 1),
            ("l2 1x1 128->512 28", 128, 512, 1, 1, 0, 28, 4),
            ("l2 1x1 512->128 28", 512, 128, 1, 1, 0, 28, 3),
            ("l2 3x3 128->128 28", 128, 128, 3, 1, 1, 28, 3),
            ("l3 1x1 512->256 28", 512, 256, 1, 1, 0, 28, 1),
            ("l3 3x3/2 256->256 28", 256, 256, 3, 2, 1, 28, 1),
            ("l3 1x1/2 512->1024 28", 512, 1024, 1, 2, 0, 28, 1),
            ("l3 1x1 256->1024 14", 256, 1024, 1, 1, 0, 14, 6),
            ("l3 1x1 1024->256 14", 1024, 256, 1, 1, 0, 14, 5),
            ("l3 3x3 256->256 14", 256, 256, 3, 1, 1, 14, 5),
            ("l4 1x1 1024->512 14", 1024, 512, 1, 1, 0, 14, 1),
            ("l4 3x3/2 512->512 14", 512, 512, 3, 2, 1, 14, 1),
            ("l4 1x1/2 1024->2048 14", 1024, 2048, 1, 2, 0, 14, 1),
            ("l4 1x1 512->2048 7", 512, 2048, 1, 1, 0, 7, 3),
            ("l4 1x1 2048->512 7", 2048, 512, 1, 1, 0, 7, 2),
            ("l4 3x3 512->512 7", 512, 512, 3, 1, 1, 7, 2),
        ]
        let threads = Threading.threadCount
        func measure(_ shape: (name: String, cin: Int, cout: Int, k: Int, s: Int, p: Int, size: Int, count: Int))
            -> ConvolutionBenchmark.Timing {
            ConvolutionBenchmark.measure(inChannels: shape.cin, outChannels: shape.cout, kernelSize: shape.k,
                                         stride: shape.s, padding: shape.p, height: shape.size, width: shape.size,
                                         batch: 32, repetitions: 2)
        }
        var rows: [(name: String, count: Int, one: (Double, Double), all: (Double, Double))] = []
        for shape in shapes {
            var one: [ConvolutionBenchmark.Timing] = [], all: [ConvolutionBenchmark.Timing] = []
            for _ in 0..<3 {
                one.append(Threading.withThreadCount(1) { measure(shape) })
                all.append(measure(shape))
            }
            func median(_ runs: [ConvolutionBenchmark.Timing], _ part: (ConvolutionBenchmark.Timing) -> Double) -> Double {
                runs.map(part).sorted()[1] * 1e3
            }
            rows.append((shape.name, shape.count, (median(one) { $0.forward }, median(one) { $0.backward }),
                         (median(all) { $0.forward }, median(all) { $0.backward })))
        }
        let total = rows.reduce(0.0) { $0 + Double($1.count) * ($1.all.0 + $1.all.1) }
        print("ms forward / backward at 1 and \(threads) threads, batch 32; scaling; share of the network's convolution time "
              + "and nominal GFLOP/s (forward once, backward twice) at \(threads)")
        for (row, shape) in zip(rows, shapes) {
            let outputSize = (shape.size + 2 * shape.p - shape.k) / shape.s + 1
            let multiplyAdds = Double(32 * shape.cout * shape.cin * shape.k * shape.k * outputSize * outputSize)
            print(String(format: "%-24@ x%d  1: %8.2f / %8.2f  %d: %8.2f / %8.2f  scaling %.2f / %.2f  share %.3f  %6.1f GFLOP/s",
                         row.name as NSString, row.count, row.one.0, row.one.1, threads, row.all.0, row.all.1,
                         row.one.0 / row.all.0, row.one.1 / row.all.1,
                         Double(row.count) * (row.all.0 + row.all.1) / total,
                         2 * 3 * multiplyAdds / ((row.all.0 + row.all.1) * 1e6)))
            XCTAssertGreaterThan(row.all.0 + row.all.1, 0)
        }
        let totalOne = rows.reduce(0.0) { $0 + Double($1.count) * ($1.one.0 + $1.one.1) }
        print(String(format: "network, convolutions only: 1: %.1f ms  %d: %.1f ms  scaling %.2f", totalOne, threads, total,
                     totalOne / total))
    }

    /// Forward and backward milliseconds of ResNet-50's 1×1 stride-1 convolutions (batch 32) at
    /// all threads: the batch split into one share per thread, each a single-threaded GEMM over
    /// its columns, against one GEMM over the whole batch on OpenBLAS's threads; alternating,
    /// medians of 5 rounds.
    func testPointwiseShares() {
        let shapes: [(name: String, cin: Int, cout: Int, size: Int)] = [
            ("l1 1x1 64->64 56", 64, 64, 56), ("l1 1x1 256->64 56", 256, 64, 56), ("l1 1x1 64->256 56", 64, 256, 56),
            ("l2 1x1 256->128 56", 256, 128, 56), ("l2 1x1 128->512 28", 128, 512, 28),
            ("l2 1x1 512->128 28", 512, 128, 28), ("l3 1x1 512->256 28", 512, 256, 28),
            ("l3 1x1 256->1024 14", 256, 1024, 14), ("l3 1x1 1024->256 14", 1024, 256, 14),
        ]
        print("threads \(Threading.threadCount); ms forward / backward, median of 5: shares | one GEMM")
        for shape in shapes {
            var split: [ConvolutionBenchmark.Timing] = [], whole: [ConvolutionBenchmark.Timing] = []
            for _ in 0..<5 {
                for shares in [true, false] {
                    let t = ConvolutionBenchmark.measure(inChannels: shape.cin, outChannels: shape.cout, kernelSize: 1,
                                                         height: shape.size, width: shape.size, batch: 32,
                                                         perThreadShares: shares, repetitions: 2)
                    if shares { split.append(t) } else { whole.append(t) }
                }
            }
            func median(_ runs: [ConvolutionBenchmark.Timing], _ part: (ConvolutionBenchmark.Timing) -> Double) -> Double {
                runs.map(part).sorted()[2] * 1e3
            }
            let (sf, sb, wf, wb) = (median(split) { $0.forward }, median(split) { $0.backward },
                                    median(whole) { $0.forward }, median(whole) { $0.backward })
            print(String(format: "%-22@ shares %7.2f / %7.2f | one GEMM %7.2f / %7.2f  time shares over one GEMM %.2f",
                         shape.name as NSString, sf, sb, wf, wb, (sf + sb) / (wf + wb)))
            XCTAssertGreaterThan(sf + sb, 0)
        }
    }
}
