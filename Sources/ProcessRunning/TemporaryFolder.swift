import Foundation

/// A scratch folder for one run of a program.
package enum TemporaryFolder {
    /// Creates `<temporary directory>/<prefix>-<process id>` (empty or not) and returns its path.
    package static func make(prefix: String) throws -> String {
        let path = (NSTemporaryDirectory() as NSString).appendingPathComponent("\(prefix)-\(getpid())")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
