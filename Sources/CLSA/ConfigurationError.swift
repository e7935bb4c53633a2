/// An invalid setting. The message names the fields at fault as a library user sets them, in
/// backquotes: `` `batchSize` must be at least 2, got 1``. A front end that calls them something
/// else renames them in one place (the command line shows its flags, `--batch-size`).
public struct ConfigurationError: Error, CustomStringConvertible, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }

    /// Throws `ConfigurationError(message())` unless `condition` holds.
    public static func require(_ condition: Bool, _ message: @autoclosure () -> String) throws {
        if !condition { throw ConfigurationError(message()) }
    }
}
