import XCTest
@testable import TensorCore

final class BatchNormalizationTests: XCTestCase {
    /// Running statistics and counter for `channels` channels at PyTorch's initial values.
    private struct RunningState {
        let mean: Tensor, variance: Tensor, batches = Int64Buffer()
        init(channels: Int) {
            mean = Tensor(zeros: [channels])
            variance = Tensor(shape: [channels], repeating: 1)
        }
    }

    private func normalise(_ x: Tensor, _ weight: Tensor, _ bias: Tensor, _ state: RunningState,
                           training: Bool, epsilon: Float = 1e-5, groups: Int = 1,
                           applyingReLU: Bool = false) -> Tensor {
        batchNorm2d(x, weight: weight, bias: bias, runningMean: state.mean, runningVariance: state.variance,
                    numBatchesTracked: state.batches, training: training, momentum: 0.1,
                    epsilon: epsilon, groups: groups, applyingReLU: applyingReLU)
    }

    func testTrainingStepByHand() {
        // x is [C=2, N=2, H=1, W=2]; channel 0 holds 1, 2, 3, 6 and channel 1 holds 2, 1, 0, −3.
        //   channel 0: mean 3, deviations −2, −1, 0, 3, Σdev² = 14 → biased var 14/4 = 3.5,
        //              unbiased var 14/3. ε = 0.5 makes var + ε = 4, so 1/√(var+ε) = 0.5.
        //              γ = 2, β = 1: y = 2·0.5·(x − 3) + 1 = −1, 0, 1, 4.
        //   channel 1: mean 0, same deviations up to sign → same variances; γ = 1, β = 0:
        //              y = 0.5·x = 1, 0.5, 0, −1.5.
        //   running (momentum 0.1, from mean 0 and var 1):
        //              mean = 0.9·0 + 0.1·3 = 0.3 (channel 1: 0),
        //              var = 0.9·1 + 0.1·14/3 = 1.3666667 (both channels, unbiased variance).
        //   num_batches_tracked: 0 → 1.
        let x = Tensor(shape: [2, 2, 1, 2], scalars: [1, 2, 3, 6, 2, 1, 0, -3])
        let weight = Tensor(shape: [2], scalars: [2, 1]), bias = Tensor(shape: [2], scalars: [1, 0])
        let state = RunningState(channels: 2)
        let y = normalise(x, weight, bias, state, training: true, epsilon: 0.5)
        assertElementsEqual(y, [-1, 0, 1, 4, 1, 0.5, 0, -1.5], accuracy: 1e-6)
        assertElementsEqual(state.mean, [0.3, 0], accuracy: 1e-6)
        assertElementsEqual(state.variance, [1.3666667, 1.3666667], accuracy: 1e-6)
        XCTAssertEqual(state.batches.value, 1)
    }

    func testGroupsNormaliseSubBatchesSeparately() {
        // Same channel-0 values, groups = 2: sub-batch n=0 holds 1, 2 and n=1 holds 3, 6.
        //   group 0: mean 1.5, biased var 0.25, unbiased 0.5; group 1: mean 4.5, biased 2.25, unbiased 4.5.
        //   ε = 0: y = (x − mean)/std = −1, 1 in each group.
        //   running mean = 0.1·(1.5 + 4.5)/2 = 0.3; running var = 0.9 + 0.1·(0.5 + 4.5)/2 = 1.15.
        let x = Tensor(shape: [1, 2, 1, 2], scalars: [1, 2, 3, 6])
        let state = RunningState(channels: 1)
        let y = normalise(x, Tensor(shape: [1], scalars: [1]), Tensor(zeros: [1]), state,
                          training: true, epsilon: 0, groups: 2)
        assertElementsEqual(y, [-1, 1, -1, 1], accuracy: 1e-6)
        assertElementsEqual(state.mean, [0.3], accuracy: 1e-6)
        assertElementsEqual(state.variance, [1.15], accuracy: 1e-6)
        XCTAssertEqual(state.batches.value, 1)
    }

    func testEvaluationUsesRunningStatisticsAndLeavesThemAlone() {
        // Running mean 1 and −2, running var 3 and 0.25; ε = 1 → 1/√(var+ε) = 0.5 and 0.8944272.
        let x = Tensor(shape: [2, 1, 1, 2], scalars: [3, 5, -2, 0])
        let state = RunningState(channels: 2)
        state.mean.assign(from: Tensor(shape: [2], scalars: [1, -2]))
        state.variance.assign(from: Tensor(shape: [2], scalars: [3, 0.25]))
        let weight = Tensor(shape: [2], scalars: [2, 1]), bias = Tensor(shape: [2], scalars: [0, 1])
        let y = normalise(x, weight, bias, state, training: false, epsilon: 1)
        // channel 0: 2·0.5·(x − 1) = 2, 4; channel 1: (x + 2)·0.8944272 + 1 = 1, 2.7888544.
        assertElementsEqual(y, [2, 4, 1, 2.7888544], accuracy: 1e-6)
        assertElementsEqual(state.mean, [1, -2], accuracy: 0)
        assertElementsEqual(state.variance, [3, 0.25], accuracy: 0)
        XCTAssertEqual(state.batches.value, 0)
    }

    func testTrainingWithoutGradientsUpdatesRunningStatisticsAndRecordsNothing() {
        let x = seededTensor([3, 4, 2, 2], seed: 5, scale: 2, shift: 1)
        let weight = Tensor(shape: [3], repeating: 1, requiresGradient: true)
        let bias = Tensor(zeros: [3], requiresGradient: true)
        let state = RunningState(channels: 3)
        let y = withoutGradients { normalise(x, weight, bias, state, training: true, groups: 2) }
        XCTAssertFalse(y.requiresGradient)
        XCTAssertNil(y.gradientNode)
        XCTAssertEqual(state.batches.value, 1)
        XCTAssertTrue(state.mean.scalars.allSatisfy { $0 != 0 })
        XCTAssertTrue(state.variance.scalars.allSatisfy { $0 != 1 })
    }

    func testSumOfTrainingOutputHasNoGradientThroughTheStatistics() {
        // Σy = Σβ·m regardless of x (each unit's x̂ sums to zero): dx = 0, dγ = Σx̂ = 0, dβ = m = 8.
        let x = seededTensor([2, 4, 1, 2], seed: 3)
        let weight = seededTensor([2], seed: 4), bias = seededTensor([2], seed: 6)
        normalise(x, weight, bias, RunningState(channels: 2), training: true).sum().backward()
        XCTAssertLessThan(x.gradient!.scalars.map(abs).max()!, 1e-5)
        assertElementsEqual(weight.gradient!, [0, 0], accuracy: 1e-5)
        assertElementsEqual(bias.gradient!, [8, 8], accuracy: 0)
    }

    // Gradient checks at the default step and tolerance (outputs are O(1) after normalisation).
    // x is shifted and scaled so that the statistics terms of the backward pass matter.

    func testGradientCheckInTraining() {
        let x = seededTensor([3, 4, 2, 3], seed: 11, scale: 2, shift: 3)
        let weight = seededTensor([3], seed: 12, shift: 1), bias = seededTensor([3], seed: 13)
        let state = RunningState(channels: 3)
        assertGradientsMatch([x, weight, bias]) { t in normalise(t[0], t[1], t[2], state, training: true) }
    }

    func testGradientCheckInTrainingWithTwoGroups() {
        let x = seededTensor([3, 4, 2, 3], seed: 21, scale: 2, shift: -1)
        let weight = seededTensor([3], seed: 22, shift: 1), bias = seededTensor([3], seed: 23)
        let state = RunningState(channels: 3)
        assertGradientsMatch([x, weight, bias]) { t in
            normalise(t[0], t[1], t[2], state, training: true, groups: 2)
        }
    }

    /// The fused relu(BN(x)) equals BN then ReLU, values and gradients alike.
    func testFusedReLUEqualsBatchNormThenReLU() {
        let x = seededTensor([3, 4, 2, 3], seed: 41, scale: 2, shift: 1)
        let weight = seededTensor([3], seed: 42, shift: 1), bias = seededTensor([3], seed: 43)
        let seed = seededTensor([3, 4, 2, 3], seed: 44).detached()
        func run(fused: Bool) -> (output: [Float], gradients: [[Float]]) {
            let inputs = [x.copy().requiringGradient(), weight.copy().requiringGradient(), bias.copy().requiringGradient()]
            let state = RunningState(channels: 3)
            let out = fused
                ? batchNorm2d(inputs[0], weight: inputs[1], bias: inputs[2], runningMean: state.mean,
                              runningVariance: state.variance, numBatchesTracked: nil, training: true, applyingReLU: true)
                : relu(normalise(inputs[0], inputs[1], inputs[2], state, training: true))
            let values = out.scalars
            out.backward(seed: seed)
            return (values, inputs.map { $0.gradient!.scalars })
        }
        let fused = run(fused: true), separate = run(fused: false)
        XCTAssertEqual(fused.output, separate.output)
        for (a, b) in zip(fused.gradients, separate.gradients) {
            for (u, v) in zip(a, b) { XCTAssertEqual(u, v, accuracy: 1e-5) }
        }
    }

    func testGradientCheckWithFusedReLU() {
        let x = seededTensor([3, 4, 2, 3], seed: 51, scale: 2, shift: 1)
        let weight = seededTensor([3], seed: 52, shift: 1), bias = seededTensor([3], seed: 53)
        let state = RunningState(channels: 3)
        assertGradientsMatch([x, weight, bias]) { t in
            batchNorm2d(t[0], weight: t[1], bias: t[2], runningMean: state.mean, runningVariance: state.variance,
                        numBatchesTracked: nil, training: true, applyingReLU: true)
        }
    }

    /// relu(BN(x) + r) in one op equals BN, then +, then ReLU, bit for bit — values and the
    /// gradients of x, γ, β and r — in training (one and two groups) and evaluation, with and
    /// without the ReLU.
    func testFusedResidualEqualsBatchNormAddThenReLU() {
        let x = seededTensor([3, 4, 2, 3], seed: 61, scale: 2, shift: 1)
        let weight = seededTensor([3], seed: 62, shift: 1), bias = seededTensor([3], seed: 63)
        let residual = seededTensor([3, 4, 2, 3], seed: 64)
        let seed = seededTensor([3, 4, 2, 3], seed: 65).detached()
        for (training, groups, applyingReLU) in [(true, 1, true), (true, 2, true), (true, 1, false), (false, 1, true)] {
            func run(fused: Bool) -> (output: [Float], gradients: [[Float]]) {
                let inputs = [x, weight, bias, residual].map { $0.copy().requiringGradient() }
                let state = RunningState(channels: 3)
                state.variance.assign(from: Tensor(shape: [3], scalars: [2, 0.5, 4]))
                let out: Tensor
                if fused {
                    out = batchNorm2d(inputs[0], weight: inputs[1], bias: inputs[2], runningMean: state.mean,
                                      runningVariance: state.variance, numBatchesTracked: nil, training: training,
                                      groups: groups, adding: inputs[3], applyingReLU: applyingReLU)
                } else {
                    let sum = normalise(inputs[0], inputs[1], inputs[2], state, training: training, groups: groups) + inputs[3]
                    out = applyingReLU ? relu(sum) : sum
                }
                let values = out.scalars
                out.backward(seed: seed)
                return (values, inputs.map { $0.gradient!.scalars })
            }
            let fused = run(fused: true), separate = run(fused: false)
            let name = "training \(training), groups \(groups), ReLU \(applyingReLU)"
            XCTAssertEqual(fused.output, separate.output, name)
            XCTAssertEqual(fused.gradients, separate.gradients, name)
        }
    }

    func testGradientCheckWithResidualAndReLU() {
        let x = seededTensor([3, 4, 2, 3], seed: 71, scale: 2, shift: 1)
        let weight = seededTensor([3], seed: 72, shift: 1), bias = seededTensor([3], seed: 73)
        // The residual is moved so that BN(x) + r stays at least 0.3 from ReLU's kink, which no
        // finite-difference step (1e-2) then crosses.
        let normalized = normalise(x, weight, bias, RunningState(channels: 3), training: true, groups: 2).scalars
        let residual = Tensor(shape: x.shape, scalars: zip(seededTensor(x.shape, seed: 74).scalars, normalized).map { r, y in
            abs(y + r) >= 0.3 ? r : r + (y + r < 0 ? -0.6 : 0.6)
        }, requiresGradient: true)
        let state = RunningState(channels: 3)
        assertGradientsMatch([x, weight, bias, residual]) { t in
            batchNorm2d(t[0], weight: t[1], bias: t[2], runningMean: state.mean, runningVariance: state.variance,
                        numBatchesTracked: nil, training: true, groups: 2, adding: t[3], applyingReLU: true)
        }
    }

    func testGradientCheckInEvaluation() {
        let x = seededTensor([3, 2, 2, 2], seed: 31)
        let weight = seededTensor([3], seed: 32, shift: 1), bias = seededTensor([3], seed: 33)
        let state = RunningState(channels: 3)
        state.mean.assign(from: Tensor(shape: [3], scalars: [0.5, -1, 2]))
        state.variance.assign(from: Tensor(shape: [3], scalars: [2, 0.5, 4]))
        assertGradientsMatch([x, weight, bias]) { t in normalise(t[0], t[1], t[2], state, training: false) }
    }

    func testStatisticsStayAccurateForLargeMeans() {
        // A channel at mean 1000 with unit spread: E[x²] − mean² would lose the variance in
        // Float; the shifted sums keep it. Values 1000 ± 1 alternate → biased variance exactly 1.
        let values = (0..<4096).map { Float(1000 + ($0 % 2 == 0 ? 1 : -1)) }
        let x = Tensor(shape: [1, 64, 8, 8], scalars: values)
        let state = RunningState(channels: 1)
        let y = normalise(x, Tensor(shape: [1], repeating: 1), Tensor(zeros: [1]), state,
                          training: true, epsilon: 0)
        XCTAssertEqual(y.data[0], 1, accuracy: 1e-5)
        XCTAssertEqual(y.data[1], -1, accuracy: 1e-5)
        // running var = 0.9 + 0.1·4096/4095; running mean = 0.1·1000.
        XCTAssertEqual(state.variance.item, Float(0.9 + 0.1 * 4096.0 / 4095.0), accuracy: 1e-6)
        XCTAssertEqual(state.mean.item, 100, accuracy: 1e-4)
    }

    /// A convolution of a BN + ReLU output at least `ActivationRecomputation.minimumBytes` large
    /// keeps the recipe, not the output: the output is freed after the forward pass, and every
    /// gradient is bit for bit what it is when the convolution keeps the output, or a copy.
    func testConvolutionOfAReLUOutputRecomputesItExactly() {
        let saved = ActivationRecomputation.minimumBytes
        defer { ActivationRecomputation.minimumBytes = saved }
        var gradients: [[[Float]]] = []
        // (threshold, whether the convolution reads a copy, whether the BN output is freed)
        for (minimumBytes, copy, freed) in [(0, false, true), (Int.max, false, false), (Int.max, true, true)] {
            ActivationRecomputation.minimumBytes = minimumBytes
            let x = seededTensor([3, 4, 5, 5], seed: 12, requiresGradient: true)
            let weight = seededTensor([3], seed: 13, shift: 1, requiresGradient: true)
            let bias = seededTensor([3], seed: 14, requiresGradient: true)
            let kernel = seededTensor([2, 3, 3, 3], seed: 15, requiresGradient: true)
            let state = RunningState(channels: 3)
            weak var activation: TensorStorage?
            let loss: Tensor = {
                let h = normalise(x, weight, bias, state, training: true, applyingReLU: true)
                activation = h.storage
                // The copy: the same values through an op that is not recomputable (h + 0).
                let input = copy ? h + Tensor(zeros: h.shape) : h
                let y = conv2d(input, weight: kernel, padding: 1)
                return (y * seededTensor(y.shape, seed: 16)).sum()
            }()
            XCTAssertEqual(activation == nil, freed, "minimumBytes \(minimumBytes), copy \(copy)")
            loss.backward()
            gradients.append([x, weight, bias, kernel].map { $0.gradient?.scalars ?? [] })
        }
        XCTAssertEqual(gradients[0], gradients[1])
        XCTAssertEqual(gradients[0], gradients[2])
    }

    /// Backward reads x only (ReLU's mask is recomputed from it): the output of a plain BN or of
    /// BN + ReLU is not kept. (With a residual and ReLU it is: the mask is read from it.)
    func testTheGraphDoesNotKeepTheOutput() {
        for applyingReLU in [false, true] {
            let x = seededTensor([2, 4, 2, 2], seed: 9)
            let weight = Tensor(shape: [2], repeating: 1, requiresGradient: true)
            let bias = Tensor(zeros: [2], requiresGradient: true)
            let state = RunningState(channels: 2)
            weak var output: TensorStorage?
            let loss: Tensor = {
                let y = normalise(x, weight, bias, state, training: true, applyingReLU: applyingReLU)
                output = y.storage
                return y.sum()
            }()
            XCTAssertNil(output, "applyingReLU \(applyingReLU)")
            loss.backward()
            XCTAssertNotNil(weight.gradient)
        }
    }
}
