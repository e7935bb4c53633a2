/// A documented starting configuration for `clsa pretrain --preset NAME`; every flag given
/// beside it overrides the preset's value.
///
///     var configuration = PretrainingPreset.named("fashion-mnist-quick")!.configuration
///     configuration.epochs = 5                        // as `--epochs 5` would
public struct PretrainingPreset: Sendable {
    public let name: String
    /// One line for `--help` and the README.
    public let summary: String
    public let configuration: PretrainingConfiguration
    /// The `--data` it trains on, if it names one.
    public let data: String?
    /// `--subset`: how many training images it uses (nil: all).
    public let subset: Int?
    /// `--val-data`: the labelled images its kNN probes score on (nil: none).
    public let validationData: String?
    /// `--final-probe`: what the run reports when it ends (nil: nothing).
    public let finalProbe: RunSettings.FinalProbe?

    public init(name: String, summary: String, configuration: PretrainingConfiguration, data: String?, subset: Int?,
                validationData: String? = nil, finalProbe: RunSettings.FinalProbe? = nil) {
        self.name = name
        self.summary = summary
        self.configuration = configuration
        self.data = data
        self.subset = subset
        self.validationData = validationData
        self.finalProbe = finalProbe
    }

    /// Every preset, in the order `--help` lists them.
    public static let all: [PretrainingPreset] = [fashionMNISTQuick, fashionMNIST, paperSingle, paperMulti, mocoV2]

    /// The preset called `name`, if any.
    public static func named(_ name: String) -> PretrainingPreset? {
        all.first { $0.name == name }
    }

    /// The paper's CLSA-Single: ResNet-50 at 224 px, one 96 px strong view, K = 65536,
    /// τ = 0.2, α = 0.999, β = 1, batch 256, lr 0.03 with cosine decay, 200 epochs.
    public static let paperSingle = PretrainingPreset(
        name: "paper-single",
        summary: "CLSA-Single as in the paper: ResNet-50, 224 px, strong view 96 px, K 65536, batch 256, 200 epochs",
        configuration: PretrainingConfiguration(), data: nil, subset: nil)

    /// The paper's CLSA-Multi: strong views at 224, 192, 160, 128 and 96 px.
    public static let paperMulti = PretrainingPreset(
        name: "paper-multi",
        summary: "CLSA-Multi as in the paper: strong views at 224, 192, 160, 128 and 96 px, otherwise as paper-single",
        configuration: modified(PretrainingConfiguration()) { $0.strongSizes = [224, 192, 160, 128, 96] },
        data: nil, subset: nil)

    /// MoCo v2, the paper's baseline: β = 0, no strong views.
    public static let mocoV2 = PretrainingPreset(
        name: "moco-v2",
        summary: "MoCo v2 (the baseline): no strong views (beta 0), otherwise as paper-single",
        configuration: modified(PretrainingConfiguration()) { $0.beta = 0 },
        data: nil, subset: nil)

    /// The hour: Fashion-MNIST's images (28 px, gray, replicated to RGB) at 32 px on the
    /// small-image ResNet-18 of width 24 (192-d features) with its statistics (mean 0.2860, std
    /// 0.3530); the strong view scaled from the paper's 96/224 to 14 px; batch 64, lr 0.06,
    /// weight decay 5e-4, K 4096, α 0.99 and in-batch negatives, over all 60,000 images for 11
    /// epochs (10,307 steps), sized to take under an hour of steps on 2 cores as 2 data-parallel
    /// ranks (`mpirun -np 2 … --threads 1 --distributed mpi`). Ends with the final kNN probe on
    /// the test set. Its figures and the study that chose each setting: Docs/results.md.
    public static let fashionMNIST = PretrainingPreset(
        name: "fashion-mnist",
        summary: "Fashion-MNIST, small-image ResNet-18 (width 24) at 32 px, strong view 14 px, K 4096 and in-batch "
            + "negatives, batch 64, lr 0.06, weight decay 5e-4, 11 epochs: about 50 min on 2 cores as 2 ranks (mpirun -np 2)",
        configuration: fashionMNISTConfiguration { $0.epochs = 11 },
        data: "fashion-mnist", subset: nil, validationData: "fashion-mnist:test", finalProbe: .knn)

    /// The main job: what pretraining buys in minutes. The `fashion-mnist` recipe on a narrower
    /// network (width 16, 128-d features) over a 48,000-image subset for 3 epochs (2,250
    /// steps), then the final kNN probe on the 10,000 test images: the pretrained backbone
    /// beside the untrained one it started from and the raw pixels. Width and length were
    /// chosen so that the whole job fits in 10 minutes on 2 cores with the pretrained backbone
    /// clearly above its own initialisation (Docs/results.md, "The main job").
    public static let fashionMNISTQuick = PretrainingPreset(
        name: "fashion-mnist-quick",
        summary: "The main job: Fashion-MNIST on ResNet-18 (width 16) at 32 px, batch 64, lr 0.06, weight decay 5e-4, "
            + "K 4096 and in-batch negatives, 48,000 images, 3 epochs, then the kNN probe beside the untrained "
            + "backbone and raw pixels: about 7 min on 2 cores",
        configuration: fashionMNISTConfiguration {
            $0.baseWidth = 16
            $0.epochs = 3
        },
        data: "fashion-mnist", subset: 48_000, validationData: "fashion-mnist:test", finalProbe: .knn)

    private static func fashionMNISTConfiguration(_ change: (inout PretrainingConfiguration) -> Void) -> PretrainingConfiguration {
        modified(PretrainingConfiguration()) { configuration in
            configuration.architecture = .resnet18Small
            configuration.baseWidth = 24
            configuration.imageSize = 32
            configuration.strongSizes = [14]
            configuration.batchSize = 64
            configuration.learningRate = 0.06
            configuration.weightDecay = 5e-4
            configuration.queueSize = 4096
            configuration.alpha = 0.99
            configuration.inBatchNegatives = true
            configuration.mean = [0.2860, 0.2860, 0.2860]
            configuration.standardDeviation = [0.3530, 0.3530, 0.3530]
            change(&configuration)
        }
    }

    private static func modified(_ base: PretrainingConfiguration,
                                 _ change: (inout PretrainingConfiguration) -> Void) -> PretrainingConfiguration {
        var configuration = base
        change(&configuration)
        return configuration
    }
}
