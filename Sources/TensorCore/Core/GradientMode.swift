/// Whether operations record the autograd graph.
///
/// Recording is on by default. `withoutGradients` turns it off for a scope — the key encoder,
/// evaluation and feature extraction run there, so they keep no activations for a backward pass.
/// The setting is process-wide: the graph is built by one thread (the trainer's); parallel loops
/// inside ops never consult it.
public enum GradientMode {
    nonisolated(unsafe) public private(set) static var isEnabled = true

    /// Runs `body` with graph recording off, restoring the previous setting afterwards.
    public static func withoutGradients<R>(_ body: () throws -> R) rethrows -> R {
        let saved = isEnabled
        isEnabled = false
        defer { isEnabled = saved }
        return try body()
    }
}

/// Runs `body` with graph recording off. See `GradientMode`.
public func withoutGradients<R>(_ body: () throws -> R) rethrows -> R {
    try GradientMode.withoutGradients(body)
}
