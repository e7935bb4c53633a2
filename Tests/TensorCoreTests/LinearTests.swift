import XCTest
@testable import TensorCore

final class LinearTests: XCTestCase {
    func testAffineMapByHand() {
        // x = [[1, 2]], W = [[1, 0], [2, -1], [0, 3]], b = [0.5, 0, -1]:
        // x·Wᵀ = [1, 0, 6], plus b = [1.5, 0, 5].
        let x = Tensor(shape: [1, 2], scalars: [1, 2])
        let weight = Tensor(shape: [3, 2], scalars: [1, 0, 2, -1, 0, 3])
        let bias = Tensor(shape: [3], scalars: [0.5, 0, -1])
        XCTAssertEqual(linear(x, weight: weight, bias: bias).scalars, [1.5, 0, 5])
        XCTAssertEqual(linear(x, weight: weight, bias: nil).scalars, [1, 0, 6])
    }

    func testGradientCheckWithAndWithoutBias() {
        let x = seededTensor([4, 5], seed: 1), weight = seededTensor([3, 5], seed: 2), bias = seededTensor([3], seed: 3)
        assertGradientsMatch([x, weight, bias]) { t in linear(t[0], weight: t[1], bias: t[2]) }
        assertGradientsMatch([x, weight]) { t in linear(t[0], weight: t[1], bias: nil) }
    }

    func testLayerInitialisationFollowsPyTorchBounds() {
        var random = SeededRandom(seed: 4)
        let layer = Linear(inputFeatures: 64, outputFeatures: 32, random: &random)
        let bound: Float = 1 / 8  // 1/√64
        for tensor in [layer.weight, layer.bias!] {
            let values = tensor.scalars
            XCTAssertTrue(values.allSatisfy { abs($0) <= bound })
            // 2048 (and 32) uniform draws fill the interval: the extremes come near the bound.
            XCTAssertGreaterThan(values.max()!, 0.8 * bound)
            XCTAssertLessThan(values.min()!, -0.8 * bound)
        }
        XCTAssertEqual(layer.weight.shape, [32, 64])
        XCTAssertEqual(layer.namedParameters.map(\.name), ["weight", "bias"])
        XCTAssertTrue(layer.weight.requiresGradient)
    }

    func testLayerIsReproducibleFromItsSeedAndAppliesLinear() {
        var first = SeededRandom(seed: 5), second = SeededRandom(seed: 5)
        let a = Linear(inputFeatures: 6, outputFeatures: 2, random: &first)
        let b = Linear(inputFeatures: 6, outputFeatures: 2, random: &second)
        XCTAssertEqual(a.weight.scalars, b.weight.scalars)
        XCTAssertEqual(a.bias!.scalars, b.bias!.scalars)
        let x = seededTensor([3, 6], seed: 6)
        XCTAssertEqual(a(x).scalars, linear(x, weight: b.weight, bias: b.bias).scalars)
        let noBias = Linear(inputFeatures: 6, outputFeatures: 2, bias: false, random: &first)
        XCTAssertEqual(noBias.state.map(\.name), ["weight"])
    }
}
