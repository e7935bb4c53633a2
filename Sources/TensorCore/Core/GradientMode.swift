/// Whether operations record the autograd graph.
///
/// Recording is on by default. `withoutGradients` turns it off for a scope — the key encoder,
/// evaluation and feature extraction run there, so they keep no activations for a backward pass.
/// The setting belongs to the calling thread: replicas of a model trained on threads of one
/// process (`ThreadProcessGroup` in CLSA) each build their own graph, one of them perhaps in a
/// scope without gradients while another records. Parallel loops inside ops never consult it.
public enum GradientMode {
    /// Set on a thread inside `withoutGradients`.
    private static let disabled = ThreadLocalFlag()

    /// Whether the calling thread records the graph.
    public static var isEnabled: Bool { !disabled.isSet }

    /// Runs `body` with graph recording off on the calling thread, restoring the previous
    /// setting afterwards.
    public static func withoutGradients<R>(_ body: () throws -> R) rethrows -> R {
        try disabled.withValue(true, body)
    }
}

/// Runs `body` with graph recording off. See `GradientMode`.
public func withoutGradients<R>(_ body: () throws -> R) rethrows -> R {
    try GradientMode.withoutGradients(body)
}
