import Augment
import Foundation
import TensorCore

/// Writes a dataset's backbone features as a safetensors file (`clsa embed`):
/// - `features`: F32 [N, D], one row per loaded image, in the dataset's (sorted path) order;
/// - `labels`: I64 [N], when the dataset has classes;
/// - `__metadata__`: `format` = `clsa-swift-features-1`, `paths` (JSON array of the rows' image
///   names), `class_names` (JSON array, when labelled), `architecture`, `image_size`,
///   `feature_dimension`, `version`.
///
/// Read it in Python with `safetensors.numpy.load_file` (tensors) and `safe_open(…).metadata()`.
public enum FeatureExport {
    /// The `format` metadata value.
    public static let format = "clsa-swift-features-1"

    /// Writes `features` of `dataset` (as `FeatureExtractor.extract` returned them) to `path`, atomically.
    /// - Throws: `CheckpointError` naming `path` when it cannot be written.
    public static func write(_ features: ExtractedFeatures, of dataset: any ImageDataset,
                             backbone: any FeatureSource, to path: String) throws {
        var writer = SafeTensorsWriter()
        writer.add("features", features.features)
        if let labels = features.classLabels, !dataset.classNames.isEmpty {
            writer.add("labels", int64: labels.map(Int64.init), shape: [labels.count])
            writer.metadata["class_names"] = try json(dataset.classNames)
        }
        writer.metadata["format"] = format
        writer.metadata["paths"] = try json(features.indices.map { dataset.name(at: $0) })
        writer.metadata["architecture"] = backbone.name
        writer.metadata["image_size"] = String(backbone.imageSize)
        writer.metadata["feature_dimension"] = String(backbone.featureDimension)
        writer.metadata["version"] = CLSAVersion.string
        try writer.write(to: path)
    }

    private static func json(_ strings: [String]) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: strings, options: [.withoutEscapingSlashes]), as: UTF8.self)
    }
}
