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
/// With a `residual` and `applyingReLU`, the output is kept instead (ReLU's mask; it must not
/// then be overwritten), as the end of every ResNet block keeps it anyway: it is the next
/// block's input.
///
/// - Parameters:
///   - x: [C, N, H, W].
///   - weight, bias, runningMean, runningVariance: [C] (any shape with C elements).
///   - groups: sub-batches normalised separately in training (single-process shuffle-BN);
///     must divide N.
///   - residual: [C, N, H, W], added to BN(x) in the same pass, before the ReLU: the end of a
///     ResNet block, relu(BN(conv(h)) + shortcut). Its gradient is the output's (masked by the
///     ReLU), handed on without a copy.
///   - applyingReLU: return relu(BN(x) [+ residual]) computed in the same pass (its backward
///     masks the gradient by the output first), as ResNet's conv → BN → ReLU uses it.
/// - Returns: [C, N, H, W].
/// - Precondition: in training, each unit holds more than one value (the unbiased variance
///   divides by m − 1).
public func batchNorm2d(_ x: Tensor, weight: Tensor, bias: Tensor,
                        runningMean: Tensor, runningVariance: Tensor,
                        numBatchesTracked: Int64Buffer?, training: Bool,
                        momentum: Float = 0.1, epsilon: Float = 1e-5, groups: Int = 1,
                        adding residual: Tensor? = nil, applyingReLU: Bool = false) -> Tensor {
    precondition(x.rank == 4, "batchNorm2d: x must be [C, N, H, W], got \(x.shape)")
    precondition(residual == nil || residual!.shape == x.shape,
                 "batchNorm2d: residual \(residual!.shape) does not match x \(x.shape)")
    let channels = x.shape[0], batch = x.shape[1]
    for (name, t) in [("weight", weight), ("bias", bias),
                      ("runningMean", runningMean), ("runningVariance", runningVariance)] {
        precondition(t.count == channels, "batchNorm2d: \(name) has \(t.count) elements for \(channels) channels")
    }

    let out = Tensor(uninitializedShape: x.shape)
    let units: BatchNormUnits
    let statistics: [UnitStatistics]
    let maps: [UnitMap]
    if training {
        precondition(groups >= 1 && batch % groups == 0,
                     "batchNorm2d: batch of \(batch) does not split into \(groups) equal groups")
        units = BatchNormUnits(channels: channels, groups: groups, length: x.count / (channels * groups))
        precondition(units.length > 1,
                     "batchNorm2d: training needs more than one value per channel and group, "
                     + "got \(units.length) for x \(x.shape) and \(groups) groups")
        (statistics, maps) = normalizeByBatch(x.data, adding: residual?.data, into: out.data, units: units,
                                              weight: weight.data, bias: bias.data, epsilon: epsilon,
                                              applyingReLU: applyingReLU)
        updateRunningStatistics(runningMean: runningMean, runningVariance: runningVariance,
                                statistics, units: units, momentum: momentum)
        numBatchesTracked?.value += 1
    } else {
        units = BatchNormUnits(channels: channels, groups: 1, length: x.count / max(channels, 1))
        statistics = (0..<channels).map {
            UnitStatistics(mean: Double(runningMean.data[$0]), variance: Double(runningVariance.data[$0]), epsilon: epsilon)
        }
        maps = (0..<channels).map { UnitMap(statistics[$0], weight: weight.data[$0], bias: bias.data[$0]) }
        normalize(x.data, adding: residual?.data, into: out.data, maps, units: units, applyingReLU: applyingReLU)
    }

    let targets = (x: x.gradientTarget, weight: weight.gradientTarget, bias: bias.gradientTarget,
                   residual: residual?.gradientTarget)
    // Without a residual the output is not kept: ReLU's mask is recomputed from x. With one,
    // the storage is kept, not the tensor: the tensor owns this closure, and must not be kept
    // alive by it.
    let mask: ReLUMaskSource? = !applyingReLU ? nil : residual == nil ? .recomputed(maps) : .output(out.storage)
    let name = "batchNorm2d" + (residual == nil ? "" : "+add") + (applyingReLU ? "+relu" : "")
    out.recordingGradient(name, inputs: [x, weight, bias] + (residual.map { [$0] } ?? [])) { g in
        batchNormBackward(outputGradient: g, x: x, weight: weight, targets: targets,
                          statistics: statistics, units: units, statisticsFromBatch: training, reluMask: mask)
    }
    if applyingReLU && residual == nil && out.gradientNode != nil
        && out.count * MemoryLayout<Float>.stride >= ActivationRecomputation.minimumBytes {
        out.recomputation = { buffer in normalize(x.data, adding: nil, into: buffer, maps, units: units, applyingReLU: true) }
    }
    return out
}

/// How x is cut into normalisation units: unit u = c·groups + j covers
/// `data[u·length ..< (u+1)·length]`, and belongs to channel c = u / groups.
private struct BatchNormUnits {
    let channels: Int, groups: Int, length: Int
    var count: Int { channels * groups }

    /// The offset of unit u's first value.
    func offset(_ u: Int) -> Int { u * length }
}

/// One unit's mean and biased variance, and its inverse standard deviation 1/√(σ² + ε), in Double.
private struct UnitStatistics {
    var mean: Double, variance: Double, inverseStandardDeviation: Double

    init(mean: Double, variance: Double, epsilon: Float) {
        (self.mean, self.variance) = (mean, variance)
        inverseStandardDeviation = 1 / (variance + Double(epsilon)).squareRoot()
    }

    /// The statistics of the `count` values at `block`. Shifting by the block's first value keeps
    /// Σ(x−k)² − (Σ(x−k))²/m free of cancellation when |μ| ≫ σ; the two sums then take a single pass.
    init(of block: UnsafeMutablePointer<Float>, count: Int, epsilon: Float) {
        let m = Double(count), shift = block[0]
        let (sum, sumOfSquares) = sumAndDot(block, minus: shift, block, minus: shift, count: count,
                                            maskingBy: nil as UnitMap?)
        let meanShift = sum / m
        self.init(mean: Double(shift) + meanShift, variance: max(0, sumOfSquares / m - meanShift * meanShift),
                  epsilon: epsilon)
    }
}

/// Training's forward pass: each unit's statistics, its map, and its normalised values, one unit
/// at a time, so that a unit that fits in the cache is read from memory once, not twice.
private func normalizeByBatch(_ x: UnsafeMutablePointer<Float>, adding residual: UnsafePointer<Float>?,
                              into y: UnsafeMutablePointer<Float>,
                              units: BatchNormUnits, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>,
                              epsilon: Float, applyingReLU: Bool) -> ([UnitStatistics], [UnitMap]) {
    let placeholder = UnitStatistics(mean: 0, variance: 0, epsilon: epsilon)
    var statistics = [UnitStatistics](repeating: placeholder, count: units.count)
    var maps = [UnitMap](repeating: UnitMap(placeholder, weight: 0, bias: 0), count: units.count)
    statistics.withUnsafeMutableBufferPointer { statistics in
        maps.withUnsafeMutableBufferPointer { maps in
            Threading.parallelFor(units.count) { u in
                let c = u / units.groups, offset = units.offset(u)
                statistics[u] = UnitStatistics(of: x + offset, count: units.length, epsilon: epsilon)
                maps[u] = UnitMap(statistics[u], weight: weight[c], bias: bias[c])
                maps[u].normalize(x + offset, adding: residual.map { $0 + offset }, into: y + offset,
                                  count: units.length, applyingReLU: applyingReLU)
            }
        }
    }
    return (statistics, maps)
}

/// running ← (1 − momentum)·running + momentum·(group mean of the batch statistic), with the
/// unbiased variance, as PyTorch.
private func updateRunningStatistics(runningMean: Tensor, runningVariance: Tensor, _ statistics: [UnitStatistics],
                                     units: BatchNormUnits, momentum: Float) {
    let m = Double(units.length), keep = 1 - Double(momentum), take = Double(momentum)
    let unbiased = m / (m - 1)
    for c in 0..<units.channels {
        let groupUnits = statistics[(c * units.groups)..<((c + 1) * units.groups)]
        let batchMean = groupUnits.reduce(0.0) { $0 + $1.mean } / Double(units.groups)
        let batchVariance = groupUnits.reduce(0.0) { $0 + $1.variance * unbiased } / Double(units.groups)
        runningMean.data[c] = Float(keep * Double(runningMean.data[c]) + take * batchMean)
        runningVariance.data[c] = Float(keep * Double(runningVariance.data[c]) + take * batchVariance)
    }
}

/// The forward map of one unit, y = (x − μ̃)·a + b, with a = γ·s, μ̃ = μ rounded to Float and
/// b = β + (μ̃ − μ)·a, in Float: kept so that the output and ReLU's mask can be recomputed bit
/// for bit. Centring before scaling keeps y accurate when |μ| ≫ σ (x·a + (β − μ·a) would cancel).
private struct UnitMap {
    let roundedMean: Float, scale: Float, shift: Float

    init(_ statistics: UnitStatistics, weight: Float, bias: Float) {
        let a = Double(weight) * statistics.inverseStandardDeviation
        roundedMean = Float(statistics.mean)
        scale = Float(a)
        shift = Float(Double(bias) + (Double(roundedMean) - statistics.mean) * a)
    }

    /// y = (x − μ̃)·a + b over `count` values, plus the residual r when given, then max(y, 0)
    /// when `applyingReLU` (one pass, not three).
    @inline(__always)
    func normalize(_ x: UnsafePointer<Float>, adding r: UnsafePointer<Float>?, into y: UnsafeMutablePointer<Float>,
                   count: Int, applyingReLU: Bool) {
        switch (r, applyingReLU) {
        case (nil, false): for i in 0..<count { y[i] = (x[i] - roundedMean) * scale + shift }
        case (nil, true): for i in 0..<count { y[i] = max((x[i] - roundedMean) * scale + shift, 0) }
        case (let r?, false): for i in 0..<count { y[i] = (x[i] - roundedMean) * scale + shift + r[i] }
        case (let r?, true): for i in 0..<count { y[i] = max((x[i] - roundedMean) * scale + shift + r[i], 0) }
        }
    }
}

/// Where a backward pass finds ReLU's mask: recomputed from BN's input by the units' maps, or
/// read from the kept output (BN with a residual, whose output the input alone does not give).
private enum ReLUMaskSource {
    case recomputed([UnitMap])
    case output(TensorStorage)
}

/// ReLU's gradient mask over one unit: dy where the output was positive, else 0. The selects
/// compute both values unconditionally, so they vectorise; each kind of mask is a type of its
/// own, so that the loops that apply one are specialised for it.
private protocol ReLUMask {
    /// dy at the unit's value i, whose BN input is x.
    func apply(_ dy: Float, x: Float, at i: Int) -> Float
    /// dy at the unit's values i…i+3, whose BN inputs are x.
    func apply(_ dy: SIMD4<Float>, x: SIMD4<Float>, at i: Int) -> SIMD4<Float>
}

/// Recomputed: (x − μ̃)·a + b > 0 in the same Float arithmetic as `UnitMap.normalize`, so exactly
/// where the output was positive.
extension UnitMap: ReLUMask {
    @inline(__always) func apply(_ dy: Float, x: Float, at i: Int) -> Float {
        (x - roundedMean) * scale + shift > 0 ? dy : 0
    }

    @inline(__always) func apply(_ dy: SIMD4<Float>, x: SIMD4<Float>, at i: Int) -> SIMD4<Float> {
        dy.replacing(with: 0, where: .!((x - roundedMean) * scale + shift .> 0))
    }
}

/// Read: the kept output, from the unit's first value, > 0.
private struct PositiveOutput: ReLUMask {
    let output: UnsafePointer<Float>

    @inline(__always) func apply(_ dy: Float, x: Float, at i: Int) -> Float {
        output[i] > 0 ? dy : 0
    }

    @inline(__always) func apply(_ dy: SIMD4<Float>, x: SIMD4<Float>, at i: Int) -> SIMD4<Float> {
        dy.replacing(with: 0, where: .!(UnsafeRawPointer(output + i).loadUnaligned(as: SIMD4<Float>.self) .> 0))
    }
}

/// One unit's backward reading of dy (`count` values, BN input x): with `sums`, (Σdy, Σdy·(x − μ̃)),
/// dy masked in place first when there is a `mask`; without, the mask alone (or nothing).
@inline(__always)
private func readUnitGradient<Mask: ReLUMask>(_ dy: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>, count: Int,
                                              roundedMean: Float, sums: Bool, mask: Mask?) -> (sum: Double, dot: Double) {
    if sums { return sumAndDot(dy, minus: 0, x, minus: roundedMean, count: count, maskingBy: mask) }
    if let mask {
        for i in 0..<count { dy[i] = mask.apply(dy[i], x: x[i], at: i) }
    }
    return (0, 0)
}

/// Every unit's map applied to x (`UnitMap.normalize`), in parallel over units.
private func normalize(_ x: UnsafePointer<Float>, adding residual: UnsafePointer<Float>?,
                       into y: UnsafeMutablePointer<Float>, _ maps: [UnitMap],
                       units: BatchNormUnits, applyingReLU: Bool) {
    Threading.parallelFor(units.count) { u in
        let offset = units.offset(u)
        maps[u].normalize(x + offset, adding: residual.map { $0 + offset }, into: y + offset,
                          count: units.length, applyingReLU: applyingReLU)
    }
}

/// Accumulates dx, dγ and dβ, one unit at a time — its sums, then its dx, while its dy and x are
/// in cache. Per unit: Σdy and Σdy·(x−μ) in one pass, then dx = A·dy + B·(x − μ̃) + C (μ̃ = μ
/// rounded to Float, centred for the reason `UnitMap` gives) in another. With `reluMask` (BN
/// fused with ReLU), dy is first masked in place where the output was 0 — by the sums' pass as
/// it reads dy, or by a pass of its own where no sums are needed (evaluation-mode dx). Last, the
/// (masked) dy itself goes to the residual, if any: no pass reads it after that.
private func batchNormBackward(outputGradient g: Tensor, x: Tensor, weight: Tensor,
                               targets: (x: GradientSlot?, weight: GradientSlot?, bias: GradientSlot?,
                                         residual: GradientSlot?),
                               statistics: [UnitStatistics], units: BatchNormUnits,
                               statisticsFromBatch: Bool, reluMask: ReLUMaskSource?) {
    let needsSums = statisticsFromBatch || targets.weight != nil || targets.bias != nil
    // Per unit: Σdy and Σdy·x̂ (x̂ = (x−μ)·s).
    var sums = [(gradient: Double, normalizedGradient: Double)](repeating: (0, 0), count: needsSums ? units.count : 0)
    let dy = g.data, m = Double(units.length)
    sums.withUnsafeMutableBufferPointer { sums in
        withGradientBuffer(of: targets.x) { dx, accumulate in
            Threading.parallelFor(units.count) { u in
                let offset = units.offset(u), unit = statistics[u]
                let roundedMean = Float(unit.mean)
                let (dys, xs) = (dy + offset, x.data + offset)
                let (sum, dot) = switch reluMask {
                case nil:
                    readUnitGradient(dys, x: xs, count: units.length, roundedMean: roundedMean, sums: needsSums,
                                     mask: nil as UnitMap?)
                case .recomputed(let maps):
                    readUnitGradient(dys, x: xs, count: units.length, roundedMean: roundedMean, sums: needsSums,
                                     mask: maps[u])
                case .output(let output):
                    readUnitGradient(dys, x: xs, count: units.length, roundedMean: roundedMean, sums: needsSums,
                                     mask: PositiveOutput(output: output.base + offset))
                }
                if needsSums {
                    // Σdy·(x−μ) = Σdy·(x−μ̃) + (μ̃−μ)·Σdy, undoing the Float rounding μ̃ of μ.
                    sums[u] = (sum, (dot + (Double(roundedMean) - unit.mean) * sum) * unit.inverseStandardDeviation)
                }
                guard let dx else { return }
                let s = unit.inverseStandardDeviation
                let a = Double(weight.data[u / units.groups]) * s
                // Training: dx = a·(dy − Σdy/m − x̂·Σ(dy·x̂)/m) with x̂ = (x−μ)·s, and
                // x − μ = (x − μ̃) + (μ̃ − μ): A = a, B = −a·s·Σ(dy·x̂)/m, C = −a·Σdy/m + B·(μ̃ − μ).
                var b = 0.0, c0 = 0.0
                if statisticsFromBatch {
                    b = -a * s * sums[u].normalizedGradient / m
                    c0 = -a * sums[u].gradient / m + b * (Double(roundedMean) - unit.mean)
                }
                let (fa, fb, fc) = (Float(a), Float(b), Float(c0))
                store(dx + offset, count: units.length, accumulate: accumulate) { i in
                    fa * dys[i] + fb * (xs[i] - roundedMean) + fc
                }
            }
        }
    }
    if let target = targets.weight, needsSums {
        target.accumulate(channelSums(sums.map(\.normalizedGradient), units: units))
    }
    if let target = targets.bias, needsSums {
        target.accumulate(channelSums(sums.map(\.gradient), units: units))
    }
    targets.residual?.accumulate(g)
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
/// in place, by `mask.apply(a[i], x: b[i], at: i)`.
///
/// Sums run in Float over 256-element blocks with four independent accumulators (the lanes of a
/// SIMD4, element i in lane i mod 4) and the blocks combine in Double, so rounding stays near
/// Float precision of a 64-term sum while the loop runs at memory speed. The order is fixed, so
/// the result is reproducible.
private func sumAndDot<Mask: ReLUMask>(_ a: UnsafeMutablePointer<Float>, minus sa: Float,
                                       _ b: UnsafePointer<Float>, minus sb: Float, count: Int,
                                       maskingBy mask: Mask?) -> (sum: Double, dot: Double) {
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
                values = mask.apply(values, x: others, at: j)
                UnsafeMutableRawPointer(a + j).storeBytes(of: values, as: SIMD4<Float>.self)
            }
            let centred = values - sa
            sums += centred
            dots += centred * (others - sb)
            j += 4
        }
        var (sum0, dot0) = (sums[0], dots[0])
        while j < end {
            if let mask { a[j] = mask.apply(a[j], x: b[j], at: j) }
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
