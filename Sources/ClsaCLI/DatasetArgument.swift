import ArgumentParser
import Augment
import Foundation

/// Checks of `--data`-style arguments, as usage errors.
enum DatasetArgument {
    /// Throws a `ValidationError` naming `flag` when `value` names no built-in dataset and no
    /// existing folder.
    static func validate(_ value: String, flag: String) throws {
        do {
            guard case .imageFolder(let path) = try DatasetSpecifier(parsing: value) else { return }
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw ValidationError("\(flag) '\(path)' is not a folder")
            }
        } catch let error as DatasetError {
            throw ValidationError("\(flag): \(error)")
        }
    }
}
