import Foundation

/// The committed checkpoint that the corpus damages
/// (`Tests/CLSATests/Fixtures/fuzz-checkpoint/step-00000003.safetensors`, made by
/// `Scripts/fixtures/make_fuzz_checkpoint.sh`), with the data and flags of the run that wrote it,
/// so that `clsa pretrain --resume` can continue it.
package enum CheckpointFixture {
    /// The fixture's path under the repository `root`.
    package static func path(root: String) -> String {
        (root as NSString).appendingPathComponent("Tests/CLSATests/Fixtures/fuzz-checkpoint/step-00000003.safetensors")
    }

    /// The folder of the 24 unlabelled 20×20 images it was pretrained on, under `root`.
    package static func data(root: String) -> String {
        (root as NSString).appendingPathComponent("Tests/CLSATests/Fixtures/legacy-run/data")
    }

    /// The fixture's bytes.
    package static func bytes(root: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: path(root: root))))
    }

    /// The `clsa pretrain` flags of the fixture's run (its data and folder aside): a run given
    /// these resumes the fixture.
    package static let pretrainingFlags = [
        "--arch", "resnet18-small", "--base-width", "1", "--image-size", "16", "--strong-sizes", "8",
        "--batch-size", "8", "--queue-size", "16", "--dim", "4", "--hidden", "4", "--epochs", "1", "--seed", "3",
        "--threads", "1", "--workers", "1",
    ]
}
