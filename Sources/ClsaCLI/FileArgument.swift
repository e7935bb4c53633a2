import ArgumentParser
import Foundation

/// Checks of arguments that name an input file, as usage errors.
enum FileArgument {
    /// Throws a `ValidationError` naming `flag` unless `path` is an existing file (not a folder).
    static func requireFile(_ path: String, flag: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw ValidationError("\(flag) '\(path)' is not a file")
        }
    }
}
