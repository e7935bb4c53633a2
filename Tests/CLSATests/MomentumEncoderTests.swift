import TensorCore
import XCTest
@testable import CLSA

final class MomentumEncoderTests: XCTestCase {
    private func tinyEncoder(seed: UInt64) -> Encoder {
        var random = SeededRandom(seed: seed)
        let backbone = ResNetConfiguration(block: .basic, layers: [1, 1, 1, 1], baseWidth: 2, smallImageStem: true)
        return Encoder(backbone: backbone, hidden: 8, dimension: 4, random: &random)
    }

    func testStartsAsAnExactCopyWithoutGradients() {
        let query = tinyEncoder(seed: 1)
        let key = MomentumEncoder(copying: query, momentum: 0.999, shuffleGroups: 2)
        XCTAssertEqual(key.encoder.state.map(\.name), query.state.map(\.name))
        for (k, q) in zip(key.encoder.parameters, query.parameters) {
            XCTAssertEqual(k.scalars, q.scalars)
            XCTAssertFalse(k.requiresGradient)
        }
    }

    /// φ ← α·φ + (1 − α)·θ with α = 0.9: from φ = 1 towards θ = 3 gives 1.2, then 1.38.
    func testExponentialMovingAverage() {
        let query = tinyEncoder(seed: 1)
        let key = MomentumEncoder(copying: query, momentum: 0.9, shuffleGroups: 1)
        for p in key.encoder.parameters { p.data.update(repeating: 1, count: p.count) }
        for p in query.parameters { p.data.update(repeating: 3, count: p.count) }
        key.update(from: query)
        XCTAssertEqual(key.encoder.parameters[0].data[0], 1.2, accuracy: 1e-6)
        key.update(from: query)
        for p in key.encoder.parameters {
            XCTAssertEqual(p.data[p.count - 1], 1.38, accuracy: 1e-5)
        }
    }

    /// Shuffle-BN un-permutes: each key row belongs to its own image. With one BN group per
    /// image pair, keys depend on the pairing, so compare against an unshuffled single-group
    /// encoder only for the permutation logic: equal images give equal keys in any order.
    func testKeysComeBackInTheBatchOrder() {
        let query = tinyEncoder(seed: 2)
        let key = MomentumEncoder(copying: query, momentum: 0.999, shuffleGroups: 1)
        var random = SeededRandom(seed: 5)
        let images = Tensor(shape: [4, 3, 8, 8], scalars: (0..<(4 * 192)).map { _ in Float(random.normal()) })
        var shuffleRandom = SeededRandom(seed: 9)
        let shuffled = key.keys(for: images, random: &shuffleRandom).local
        // With a single group, BN sees the whole batch either way: the shuffle must not change any key.
        let plain = withoutGradients { key.encoder(images) }
        XCTAssertEqual(shuffled.scalars, plain.scalars, accuracy: 1e-5)
        XCTAssertFalse(shuffled.requiresGradient)
    }

    /// Every BN layer of the key encoder (stem, 8 in blocks, 3 in shortcuts) normalises in groups.
    func testKeyEncoderNormalisesInShuffleGroups() {
        let key = MomentumEncoder(copying: tinyEncoder(seed: 3), momentum: 0.999, shuffleGroups: 4)
        XCTAssertEqual(key.encoder.backbone.batchNormLayers.map(\.groups), Array(repeating: 4, count: 12))
    }
}
