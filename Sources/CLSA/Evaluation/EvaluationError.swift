import Augment

/// Why an evaluation (linear probe, kNN, export) cannot run or failed its checks.
public enum EvaluationError: Error, CustomStringConvertible, Equatable {
    /// Every image of a dataset failed to load.
    case noLoadableImages(skipped: Int)
    /// A dataset that must be labelled (a folder of class folders) is not; `role` names its flag.
    case unlabelledDataset(role: String)
    /// The training and validation sets name different classes.
    case classMismatch(train: [String], validation: [String])
    /// The classifier's training loss became NaN or infinite in `epoch` (1-based).
    case nonFiniteLoss(epoch: Int)
    /// The frozen backbone's state changed during linear evaluation: the names that changed.
    case backboneChanged([String])
    /// A trained classifier with `classifier` classes scored on a set with `dataset` classes.
    case classCountMismatch(classifier: Int, dataset: Int)

    public var description: String {
        switch self {
        case .noLoadableImages(let skipped):
            return "none of the dataset's \(skipped) images could be loaded"
        case .unlabelledDataset(let role):
            return "the \(role) set has no classes (a folder of class folders is needed)"
        case .classMismatch(let train, let validation):
            return "the training set's \(train.count) classes \(Self.preview(train)) differ from the "
                + "validation set's \(validation.count) \(Self.preview(validation))"
        case .nonFiniteLoss(let epoch):
            return "the linear classifier's loss became non-finite in epoch \(epoch); lower `learningRate`"
        case .backboneChanged(let names):
            return "the frozen backbone changed during linear evaluation: \(Self.preview(names)) "
                + "(\(names.count) state entries)"
        case .classCountMismatch(let classifier, let dataset):
            return "the classifier has \(classifier) classes, the evaluation set \(dataset)"
        }
    }

    private static func preview(_ names: [String]) -> String {
        let shown = names.prefix(4).joined(separator: ", ")
        return "[" + shown + (names.count > 4 ? ", …" : "") + "]"
    }
}

extension EvaluationError {
    /// Throws unless both sets are labelled with the same classes; `role` prefixes the sets'
    /// names in the message ("kNN" → "kNN training", "kNN validation"; empty → "training").
    static func requireMatchingLabels(train: any ImageDataset, validation: any ImageDataset, role: String) throws {
        let prefix = role.isEmpty ? "" : role + " "
        guard !train.classNames.isEmpty else { throw unlabelledDataset(role: prefix + "training") }
        guard !validation.classNames.isEmpty else { throw unlabelledDataset(role: prefix + "validation") }
        guard train.classNames == validation.classNames else {
            throw classMismatch(train: train.classNames, validation: validation.classNames)
        }
    }
}
