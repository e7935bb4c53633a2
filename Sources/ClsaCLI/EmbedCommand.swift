import ArgumentParser
import Augment
import CLSA
import Foundation

/// `clsa embed`: a dataset's backbone features as a safetensors file.
struct EmbedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Write a dataset's backbone features (and labels) to a .safetensors file.",
        discussion: """
            Tensors: 'features' [N, D] F32, one row per image in sorted path order (evaluation view: \
            resize + centre crop at the checkpoint's image size), and 'labels' [N] I64 when the folder \
            has classes. Metadata: 'paths' and 'class_names' (JSON arrays), architecture, image size. \
            Images that cannot be decoded are skipped with a warning and have no row.
            """)

    @OptionGroup var backbone: BackboneOptions

    @Option(help: "The dataset: \(DatasetSpecifier.builtInNames.joined(separator: ", ")) or an image folder.")
    var data: String

    @Option(help: "The output .safetensors file.")
    var out: String

    func validate() throws {
        try DatasetArgument.validate(data, flag: "--data")
        let folder = (out as NSString).deletingLastPathComponent
        var isDirectory: ObjCBool = false
        guard folder.isEmpty || (FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory) && isDirectory.boolValue) else {
            throw ValidationError("--out '\(out)': the folder '\(folder)' does not exist")
        }
    }

    func run() throws {
        let pretrained = try backbone.featureSource()
        let dataset = try DatasetSpecifier(parsing: data).open()
        let extractor = FeatureExtractor(backbone: pretrained, batchSize: backbone.batchSize, workerCount: backbone.workerCount)
        let features = try extractor.extract(dataset)
        try FeatureExport.write(features, of: dataset, backbone: pretrained, to: out)
        let labels = dataset.classNames.isEmpty ? "no labels" : "labels of \(dataset.classNames.count) classes"
        let skipped = features.skippedCount > 0 ? ", \(features.skippedCount) images skipped" : ""
        print("embed: wrote '\(out)': \(features.count) × \(pretrained.featureDimension) features, \(labels)\(skipped); "
              + "\(pretrained.name) at \(pretrained.imageSize) px")
    }
}
