/// Fashion-MNIST (Zalando): 28×28 gray images of 10 clothing classes, 60,000 for training and
/// 10,000 for testing, read from the IDX files that the Debian package `dataset-fashion-mnist`
/// installs in `/usr/share/datasets/fashion-mnist`.
///
///     let train = try FashionMNIST.dataset(.train)   // 60,000 images, labels 0…9
public enum FashionMNIST {
    public enum Split: String, Sendable, CaseIterable {
        /// The 60,000 training images.
        case train
        /// The 10,000 test images.
        case test

        /// The prefix of the split's file names (`train`, `t10k`).
        var filePrefix: String { self == .train ? "train" : "t10k" }
    }

    /// Where the Debian package installs the files.
    public static let defaultDirectory = "/usr/share/datasets/fashion-mnist"

    /// The Debian package that provides the files.
    public static let debianPackage = "dataset-fashion-mnist"

    /// The classes in label order (torchvision's `FashionMNIST.classes`).
    public static let classNames = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]

    /// The gzip-compressed image and label files of `split` in `directory`.
    public static func files(of split: Split, in directory: String = defaultDirectory) -> (images: String, labels: String) {
        let base = directory.hasSuffix("/") ? directory : directory + "/"
        return (base + "\(split.filePrefix)-images-idx3-ubyte.gz", base + "\(split.filePrefix)-labels-idx1-ubyte.gz")
    }

    /// Loads `split` into memory (about 47 MB for the training images).
    /// - Throws: `DatasetError.missingDataset` naming the missing file and the package to install;
    ///   `IDXError` when a file is damaged.
    public static func dataset(_ split: Split, directory: String = defaultDirectory) throws -> IDXDataset {
        let (images, labels) = files(of: split, in: directory)
        for file in [images, labels] where !FileContents.exists(file) {
            throw DatasetError.missingDataset(name: "Fashion-MNIST", file: file, package: debianPackage)
        }
        return try IDXDataset(imagesPath: images, labelsPath: labels, classNames: classNames,
                              name: "fashion-mnist:\(split.rawValue)")
    }
}
