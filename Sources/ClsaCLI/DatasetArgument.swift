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

/// `--train-data` and `--val-data`: a labelled training set and a set scored against it.
struct LabelledSplitOptions: ParsableArguments {
    @Option(help: "The labelled training set: \(DatasetSpecifier.builtInNames.joined(separator: ", ")) or a folder of class folders.")
    var trainData: String

    @Option(help: "The labelled validation set, with the same classes.")
    var valData: String

    func validate() throws {
        try DatasetArgument.validate(trainData, flag: "--train-data")
        try DatasetArgument.validate(valData, flag: "--val-data")
    }

    /// Opens both sets.
    func open() throws -> (train: any ImageDataset, validation: any ImageDataset) {
        (try DatasetSpecifier(parsing: trainData).open(), try DatasetSpecifier(parsing: valData).open())
    }
}
