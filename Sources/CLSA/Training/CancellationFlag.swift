import Foundation

/// A flag that one thread raises (a Ctrl-C handler) and a long loop polls between steps.
public final class CancellationFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var raised = false

    public init() {}

    /// Asks the loop to stop at its next check.
    public func cancel() {
        lock.lock()
        raised = true
        lock.unlock()
    }

    public var isCancelled: Bool {
        lock.lock()
        defer { lock.unlock() }
        return raised
    }
}
