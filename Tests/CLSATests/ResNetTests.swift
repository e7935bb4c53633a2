import GradientChecking
import TensorCore
import XCTest
@testable import CLSA

final class ResNetTests: XCTestCase {
    func testResNet50HasTorchvisionsParameterCount() {
        var random = SeededRandom(seed: 0)
        XCTAssertEqual(ResNet(.resnet50(classCount: 1000), random: &random).parameterCount, 25_557_032)
    }

    func testResNet18HasTorchvisionsParameterCount() {
        var random = SeededRandom(seed: 0)
        XCTAssertEqual(ResNet(.resnet18(classCount: 1000), random: &random).parameterCount, 11_689_512)
    }

    /// The names and order of torchvision's `resnet50().state_dict()` keys (first, some middle, last).
    func testStateNamesAreTorchvisionsKeys() {
        var random = SeededRandom(seed: 0)
        let names = ResNet(.resnet50(classCount: 1000), random: &random).state.map(\.name)
        XCTAssertEqual(names.count, 320)
        XCTAssertEqual(Array(names.prefix(7)), ["conv1.weight", "bn1.weight", "bn1.bias", "bn1.running_mean",
                                                 "bn1.running_var", "bn1.num_batches_tracked", "layer1.0.conv1.weight"])
        XCTAssertTrue(names.contains("layer1.0.downsample.0.weight"))
        XCTAssertTrue(names.contains("layer1.0.downsample.1.num_batches_tracked"))
        XCTAssertTrue(names.contains("layer4.2.bn3.running_var"))
        XCTAssertFalse(names.contains("layer1.1.downsample.0.weight"))
        XCTAssertEqual(Array(names.suffix(2)), ["fc.weight", "fc.bias"])
    }

    func testOutputShapes() {
        var random = SeededRandom(seed: 0)
        let net = ResNet(.resnet18(classCount: 10), random: &random)
        let images = Tensor(shape: [2, 3, 64, 64], repeating: 0.5)
        XCTAssertEqual(withoutGradients { net(images) }.shape, [2, 10])
        XCTAssertEqual(withoutGradients { net.features(images) }.shape, [2, 512])
        var small = ResNetArchitecture.resnet18Small.configuration()
        small.baseWidth = 8
        let smallNet = ResNet(small, random: &random)
        XCTAssertEqual(withoutGradients { smallNet.features(Tensor(shape: [3, 3, 28, 28], repeating: 0.1)) }.shape, [3, 64])
    }

    /// Convolutions are Kaiming-normal with fan_out: std = sqrt(2 / (Cout·k·k)).
    func testInitialisationFollowsTorchvision() {
        var random = SeededRandom(seed: 0)
        let net = ResNet(.resnet50(), random: &random)
        let block = net.stages[2][0] as! Bottleneck
        let values: [Double] = block.conv2.weight.scalars.map(Double.init)
        let mean: Double = values.reduce(0, +) / Double(values.count)
        let variance: Double = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count)
        let expected: Double = (2.0 / (256 * 9)).squareRoot()
        XCTAssertEqual(variance.squareRoot(), expected, accuracy: 0.01 * expected)
        XCTAssertEqual(net.bn1.weight.scalars, [Float](repeating: 1, count: 64))
        XCTAssertEqual(net.bn1.bias.scalars, [Float](repeating: 0, count: 64))
    }

    /// Finite differences through a whole (tiny) ResNet in training mode, BN included.
    func testGradientOfATinyResNetEndToEnd() {
        var random = SeededRandom(seed: 3)
        var configuration = ResNetConfiguration(block: .basic, layers: [1, 1, 1, 1], baseWidth: 2,
                                                smallImageStem: true, classCount: 3)
        configuration.baseWidth = 2
        let net = ResNet(configuration, random: &random)
        let images = Tensor(shape: [4, 3, 8, 8], scalars: (0..<(4 * 3 * 64)).map { _ in Float(random.normal()) })
            .requiringGradient()
        let downsampling = net.stages[1][0] as! BasicBlock
        let checked: [Tensor] = [images, net.conv1.weight, downsampling.conv1.weight, net.fc!.weight]
        // BN running statistics change on every forward; they do not affect training-mode outputs.
        // Step 1e-3: at 1e-2 and above, perturbations cross ReLU kinks and the truncation error
        // reaches 5–10 %; at 1e-3 float32 rounding still stays well below the 2 % tolerance.
        let results = GradientCheck.run(inputs: checked, step: 1e-3, maximumEntries: 40) { _ in net(images) }
        for (index, result) in results.enumerated() {
            XCTAssertLessThan(result.relativeError, 2e-2, "input \(index)")
        }
    }
}
