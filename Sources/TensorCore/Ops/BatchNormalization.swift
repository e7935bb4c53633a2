/// Batch normalisation of channel-major feature maps, forward and backward.
///
/// Shapes: x and the output are [C, N, H, W] (channel-major, see `Tensor`); weight γ, bias β and
/// the running statistics are [C]. Channel c's N·H·W values are one contiguous block, and with
/// `groups` = g it splits into g contiguous sub-blocks of (N/g)·H·W values, one per sub-batch.
/// Each such block is one *unit* (index c·g + j) that a single thread reduces on its own, so the
/// results do not depend on the thread count.
///
/// Forward (per unit, m values):  μ = Σx/m,  σ² = Σ(x−μ)²/m,  y = γ·(x−μ)/√(σ²+ε) + β.
/// Backward (per unit, x̂ = (x−μ)·s, s = 1/√(σ²+ε)):
///   dβ = Σdy,  dγ = Σ dy·x̂,  dx = γ·s·(dy − Σdy/m − x̂·Σ(dy·x̂)/m)   (training)
///   dx = γ·s·dy                                                   (evaluation: μ, s are constants)

/// Normalises `x` per channel, as `torch.nn.BatchNorm2d` does on NCHW input.
///
/// - Training: normalises with the batch mean and biased variance of each channel (of each
///   sub-batch when `groups` > 1), then updates, exactly as PyTorch,
///   `running = (1 − momentum)·running + momentum·batch` with the *unbiased* variance
///   (m/(m−1)), and adds 1 to `numBatchesTracked`. With groups, "batch" is the mean over the
///   groups of each group's mean and unbiased variance. This happens under `withoutGradients`
///   too (the key encoder's shuffle-BN), where nothing is recorded.
/// - Evaluation: normalises with the running statistics, which stay unchanged; `groups` is unused.
///
/// Only x, and per unit its mean and inverse standard deviation, are kept for backward, so the
/// output may be overwritten in place (e.g. `relu(_:inPlace:)`). With `applyingReLU`, ReLU's
/// mask is recomputed from x too, and the output can be recomputed from them
/// (`Tensor.recomputation`): a convolution that reads it keeps the recipe, not the output.
///
/// - Parameters:
///   - x: [C, N, H, W].
///   - weight, bias, runningMean, runningVariance: [C] (any shape with C elements).
///   - groups: sub-batches normalised separately in training (single-process shuffle-BN);
///     must divide N.
///   - applyingReLU: return relu(BN(x)) computed in the same pass (its backward masks the
///     gradient by the output first), as ResNet's conv → BN → ReLU uses it.
/// - Returns: [C, N, H, W].
/// - Precondition: in training, each unit holds more than one value (the unbiased variance
///   divides by m − 1).
public func batchNorm2d(_ x: Tensor, weight: Tensor, bias: Tensor,
                        runningMean: Tensor, runningVariance: Tensor,
                        numBatchesTracked: Int64Buffer?, training: Bool,
                        momentum: Float = 0.1, epsilon: Float = 1e-5, groups: Int = 1,
                        applyingReLU: Bool = false) -> Tensor {
    precondition(x.rank == 4, "batchNorm2d: x must be [C, N, H, W], got \(x.shape)")
    let channels = x.shape[0], batch = x.shape[1]
    for (name, t) in [("weight", weight), ("bias", bias),
                      ("runningMean", runningMean), ("runningVariance", runningVariance)] {
        precondition(t.count == channels, "batchNorm2d: \(name) has \(t.count) elements for \(channels) channels")
    }

    let units: BatchNormUnits
    let statistics: BatchNormStatistics
    if training {
        precondition(groups >= 1 && batch % groups == 0,
                     "batchNorm2d: batch of \(batch) does not split into \(groups) equal groups")
        units = BatchNormUnits(channels: channels, groups: groups, length: x.count / (channels * groups))
        precondition(units.length > 1,
                     "batchNorm2d: training needs more than one value per channel and group, "
                     + "got \(units.length) for x \(x.shape) and \(groups) groups")
        let (batchStatistics, variance) = BatchNormStatistics.ofBatch(x, units: units, epsilon: epsilon)
        statistics = batchStatistics
        updateRunningStatistics(runningMean: runningMean, runningVariance: runningVariance,
                                mean: statistics.mean, biasedVariance: variance, units: units,
                                momentum: momentum)
        numBatchesTracked?.value += 1
    } else {
        units = BatchNormUnits(channels: channels, groups: 1, length: x.count / max(channels, 1))
        statistics = .ofRunning(mean: runningMean, variance: runningVariance, epsilon: epsilon)
    }

    let affine = UnitAffine(statistics, units: units, weight: weight.data, bias: bias.data)
    let out = Tensor(uninitializedShape: x.shape)
    normalize(x.data, into: out.data, affine, units: units, applyingReLU: applyingReLU)
    let targets = (x: x.gradientTarget, weight: weight.gradientTarget, bias: bias.gradientTarget)
    // The output is not kept: nothing here reads it again.
    out.recordingGradient(applyingReLU ? "batchNorm2d+relu" : "batchNorm2d", inputs: [x, weight, bias]) { g in
        batchNormBackward(outputGradient: g, x: x, weight: weight, targets: targets,
                          statistics: statistics, units: units, statisticsFromBatch: training,
                          reluMask: applyingReLU ? affine : nil)
    }
    if applyingReLU && out.gradientNode != nil
        && out.count * MemoryLayout<Float>.stride >= ActivationRecomputation.minimumBytes {
        out.recomputation = { buffer in normalize(x.data, into: buffer, affine, units: units, applyingReLU: true) }
    }
    return out
}

/// How x is cut into normalisation units: unit u = c·groups + j covers
/// `data[u·length ..< (u+1)·length]`.
private struct BatchNormUnits {
    let channels: Int, groups: Int, length: Int
    var count: Int { channels * groups }
}

/// Per-unit mean and inverse standard deviation 1/√(σ² + ε), in Double.
private struct BatchNormStatistics {
    var mean: [Double]
    var inverseStandardDeviation: [Double]

    /// The batch's statistics, and the biased variance of each unit.
    static func ofBatch(_ x: Tensor, units: BatchNormUnits, epsilon: Float)
        -> (BatchNormStatistics, variance: [Double]) {
        var mean = [Double](repeating: 0, count: units.count)
        var variance = mean
        mean.withUnsafeMutableBufferPointer { meanBuffer in
            variance.withUnsafeMutableBufferPointer { varianceBuffer in
                let m = Double(units.length)
                Threading.parallelFor(units.count) { u in
                    let block = x.data + u * units.length
                    // Shifting by the block's first value keeps Σ(x−k)² − (Σ(x−k))²/m free of
                    // cancellation when |μ| ≫ σ; the two sums then take a single pass.
                    let shift = block[0]
                    let (sum, sumOfSquares) = sumAndDot(block, minus: shift, block, minus: shift,
                                                        count: units.length)
                    let meanShift = sum / m
                    meanBuffer[u] = Double(shift) + meanShift
                    varianceBuffer[u] = max(0, sumOfSquares / m - meanShift * meanShift)
                }
            }
        }
        let inverse = variance.map { 1 / ($0 + Double(epsilon)).squareRoot() }
        return (BatchNormStatistics(mean: mean, inverseStandardDeviation: inverse), variance)
    }

    /// The running statistics, one unit per channel.
    static func ofRunning(mean: Tensor, variance: Tensor, epsilon: Float) -> BatchNormStatistics {
        BatchNormStatistics(
            mean: (0..<mean.count).map { Double(mean.data[$0]) },
            inverseStandardDeviation: (0..<variance.count).map {
                1 / (Double(variance.data[$0]) + Double(epsilon)).squareRoot()
            })
    }
}

/// running ← (1 − momentum)·running + momentum·(group mean of the batch statistic), with the
/// unbiased variance, as PyTorch.
private func updateRunningStatistics(runningMean: Tensor, runningVariance: Tensor,
                                     mean: [Double], biasedVariance: [Double],
                                     units: BatchNormUnits, momentum: Float) {
    let m = Double(units.length), keep = 1 - Double(momentum), take = Double(momentum)
    let unbiased = m / (m - 1)
    for c in 0..<units.channels {
        let groupUnits = (c * units.groups)..<((c + 1) * units.groups)
        let batchMean = groupUnits.reduce(0.0) { $0 + mean[$1] } / Double(units.groups)
        let batchVariance = groupUnits.reduce(0.0) { $0 + biasedVariance[$1] * unbiased } / Double(units.groups)
        runningMean.data[c] = Float(keep * Double(runningMean.data[c]) + take * batchMean)
        runningVariance.data[c] = Float(keep * Double(runningVariance.data[c]) + take * batchVariance)
    }
}

/// The forward map of each unit, y = (x − μ̃)·a + b, with a = γ·s, μ̃ = μ rounded to Float and
/// b = β + (μ̃ − μ)·a, in Float: kept so that the output and ReLU's mask can be recomputed bit
/// for bit. Centring before scaling keeps y accurate when |μ| ≫ σ (x·a + (β − μ·a) would cancel).
private struct UnitAffine {
    var roundedMean: [Float], scale: [Float], shift: [Float]

    init(_ statistics: BatchNormStatistics, units: BatchNormUnits,
         weight: UnsafePointer<Float>, bias: UnsafePointer<Float>) {
        (roundedMean, scale, shift) = ([], [], [])
        for u in 0..<units.count {
            let c = u / units.groups
            let a = Double(weight[c]) * statistics.inverseStandardDeviation[u]
            let mean = statistics.mean[u], rounded = Float(mean)
            roundedMean.append(rounded)
            scale.append(Float(a))
            shift.append(Float(Double(bias[c]) + (Double(rounded) - mean) * a))
        }
    }
}

/// y = (x − μ̃)·a + b per unit, then max(y, 0) when `applyingReLU` (one pass instead of two).
private func normalize(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, _ affine: UnitAffine,
                       units: BatchNormUnits, applyingReLU: Bool) {
    Threading.parallelFor(units.count) { u in
        let (m, a, b) = (affine.roundedMean[u], affine.scale[u], affine.shift[u])
        let range = (u * units.length)..<((u + 1) * units.length)
        if applyingReLU {
            for i in range { y[i] = max((x[i] - m) * a + b, 0) }
        } else {
            for i in range { y[i] = (x[i] - m) * a + b }
        }
    }
}

/// ReLU's gradient mask from BN's input: dy where (x − μ̃)·a + b > 0, else 0 — the same Float
/// arithmetic as `normalize`, so exactly where the output was positive. Both values are
/// computed unconditionally, so the select vectorises.
private struct ReLUMask {
    let mean: Float, scale: Float, shift: Float

    init(_ affine: UnitAffine, unit u: Int) {
        (mean, scale, shift) = (affine.roundedMean[u], affine.scale[u], affine.shift[u])
    }

    @inline(__always) func apply(_ dy: Float, x: Float) -> Float {
        (x - mean) * scale + shift > 0 ? dy : 0
    }

    @inline(__always) func apply(_ dy: SIMD4<Float>, x: SIMD4<Float>) -> SIMD4<Float> {
        dy.replacing(with: 0, where: .!((x - mean) * scale + shift .> 0))
    }
}

/// Masks g in place by ReLU's mask (`ReLUMask`), for a backward pass that needs no sums.
private func maskByPositiveNormalized(_ g: Tensor, x: UnsafePointer<Float>, _ affine: UnitAffine,
                                      units: BatchNormUnits) {
    let dy = g.data
    Threading.parallelFor(units.count) { u in
        let mask = ReLUMask(affine, unit: u)
        for i in (u * units.length)..<((u + 1) * units.length) { dy[i] = mask.apply(dy[i], x: x[i]) }
    }
}

/// Accumulates dx, dγ and dβ. Two passes per unit: Σdy and Σdy·(x−μ), then
/// dx = A·dy + B·(x − μ̃) + C (μ̃ = μ rounded to Float, centred for the reason `normalize` gives).
/// With `reluMask` (BN fused with ReLU), dy is first masked in place where the output was 0 —
/// by the sums' pass as it reads dy, or by a pass of its own where no sums are needed.
private func batchNormBackward(outputGradient g: Tensor, x: Tensor, weight: Tensor,
                               targets: (x: GradientSlot?, weight: GradientSlot?, bias: GradientSlot?),
                               statistics: BatchNormStatistics, units: BatchNormUnits,
                               statisticsFromBatch: Bool, reluMask: UnitAffine?) {
    // Evaluation-mode dx needs no sums; everything else does.
    let sums = statisticsFromBatch || targets.weight != nil || targets.bias != nil
        ? GradientSums(g, x: x, statistics: statistics, units: units, reluMask: reluMask) : nil
    if sums == nil, let reluMask { maskByPositiveNormalized(g, x: x.data, reluMask, units: units) }

    if let target = targets.x {
        let dy = g.data, m = Double(units.length)
        target.accumulateInPlace { dx, accumulate in
            Threading.parallelFor(units.count) { u in
                let c = u / units.groups
                let s = statistics.inverseStandardDeviation[u]
                let a = Double(weight.data[c]) * s
                let mean = statistics.mean[u], roundedMean = Float(mean)
                // Training: dx = a·(dy − Σdy/m − x̂·Σ(dy·x̂)/m) with x̂ = (x−μ)·s, and
                // x − μ = (x − μ̃) + (μ̃ − μ): A = a, B = −a·s·Σ(dy·x̂)/m, C = −a·Σdy/m + B·(μ̃ − μ).
                var b = 0.0, c0 = 0.0
                if statisticsFromBatch, let sums {
                    b = -a * s * sums.normalizedGradient[u] / m
                    c0 = -a * sums.gradient[u] / m + b * (Double(roundedMean) - mean)
                }
                let (fa, fb, fc) = (Float(a), Float(b), Float(c0))
                let offset = u * units.length
                let dys = dy + offset, xs = x.data + offset
                store(dx + offset, count: units.length, accumulate: accumulate) { i in
                    fa * dys[i] + fb * (xs[i] - roundedMean) + fc
                }
            }
        }
    }
    if let target = targets.weight, let sums {
        target.accumulate(channelSums(sums.normalizedGradient, units: units))
    }
    if let target = targets.bias, let sums {
        target.accumulate(channelSums(sums.gradient, units: units))
    }
}

/// Per unit: Σdy and Σdy·x̂ (x̂ = (x−μ)·s), in one pass over dy and x; with `reluMask`, dy is
/// masked in place first, in the same pass.
private struct GradientSums {
    var gradient: [Double]
    var normalizedGradient: [Double]

    init(_ g: Tensor, x: Tensor, statistics: BatchNormStatistics, units: BatchNormUnits, reluMask: UnitAffine?) {
        gradient = [Double](repeating: 0, count: units.count)
        normalizedGradient = gradient
        gradient.withUnsafeMutableBufferPointer { sumBuffer in
            normalizedGradient.withUnsafeMutableBufferPointer { dotBuffer in
                Threading.parallelFor(units.count) { u in
                    let offset = u * units.length
                    let mean = statistics.mean[u], roundedMean = Float(mean)
                    let (sum, dot) = sumAndDot(g.data + offset, minus: 0, x.data + offset,
                                               minus: roundedMean, count: units.length,
                                               maskingBy: reluMask.map { ReLUMask($0, unit: u) })
                    sumBuffer[u] = sum
                    // Σdy·(x−μ) = Σdy·(x−μ̃) + (μ̃−μ)·Σdy, undoing the Float rounding μ̃ of μ.
                    let centred = dot + (Double(roundedMean) - mean) * sum
                    dotBuffer[u] = centred * statistics.inverseStandardDeviation[u]
                }
            }
        }
    }
}

/// Sums per-unit values over each channel's groups, as a [C] tensor.
private func channelSums(_ perUnit: [Double], units: BatchNormUnits) -> Tensor {
    let out = Tensor(uninitializedShape: [units.channels])
    for c in 0..<units.channels {
        out.data[c] = Float(perUnit[(c * units.groups)..<((c + 1) * units.groups)].reduce(0, +))
    }
    return out
}

/// (Σ(a−sa), Σ(a−sa)·(b−sb)) over `count` elements; with `mask`, each a[i] is first replaced,
/// in place, by `mask.apply(a[i], x: b[i])`.
///
/// Sums run in Float over 256-element blocks with four independent accumulators (the lanes of a
/// SIMD4, element i in lane i mod 4) and the blocks combine in Double, so rounding stays near
/// Float precision of a 64-term sum while the loop runs at memory speed. The order is fixed, so
/// the result is reproducible.
private func sumAndDot(_ a: UnsafeMutablePointer<Float>, minus sa: Float,
                       _ b: UnsafePointer<Float>, minus sb: Float, count: Int,
                       maskingBy mask: ReLUMask? = nil) -> (sum: Double, dot: Double) {
    var total = 0.0, dot = 0.0
    var i = 0
    let block = 256
    while i < count {
        let end = min(i + block, count)
        var sums = SIMD4<Float>(), dots = SIMD4<Float>()
        var j = i
        while j + 4 <= end {
            var values = UnsafeRawPointer(a + j).loadUnaligned(as: SIMD4<Float>.self)
            let others = UnsafeRawPointer(b + j).loadUnaligned(as: SIMD4<Float>.self)
            if let mask {
                values = mask.apply(values, x: others)
                UnsafeMutableRawPointer(a + j).storeBytes(of: values, as: SIMD4<Float>.self)
            }
            let centred = values - sa
            sums += centred
            dots += centred * (others - sb)
            j += 4
        }
        var (sum0, dot0) = (sums[0], dots[0])
        while j < end {
            if let mask { a[j] = mask.apply(a[j], x: b[j]) }
            let centred = a[j] - sa
            sum0 += centred
            dot0 += centred * (b[j] - sb)
            j += 1
        }
        total += Double((sum0 + sums[1]) + (sums[2] + sums[3]))
        dot += Double((dot0 + dots[1]) + (dots[2] + dots[3]))
        i = end
    }
    return (total, dot)
}
