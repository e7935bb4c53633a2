import Foundation

/// A Boolean of each thread, false until the thread sets it: for settings that replicas
/// running side by side on threads of one process must not share (`GradientMode`, a report's
/// silence on all but one replica).
public final class ThreadLocalFlag: @unchecked Sendable {
    private let key: pthread_key_t

    public init() {
        var key = pthread_key_t()
        let status = pthread_key_create(&key, nil)
        precondition(status == 0, "ThreadLocalFlag: pthread_key_create failed (\(status))")
        self.key = key
    }

    deinit { pthread_key_delete(key) }

    /// The calling thread's value.
    public var isSet: Bool {
        get { pthread_getspecific(key) != nil }
        set { pthread_setspecific(key, newValue ? UnsafeRawPointer(bitPattern: 1) : nil) }
    }

    /// Runs `body` with the calling thread's value `value`, restoring the previous one afterwards.
    public func withValue<R>(_ value: Bool, _ body: () throws -> R) rethrows -> R {
        let saved = isSet
        isSet = value
        defer { isSet = saved }
        return try body()
    }
}
