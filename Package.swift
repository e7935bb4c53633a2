// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "clsa-swift",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "TensorCore", targets: ["TensorCore"]),
        .library(name: "Augment", targets: ["Augment"]),
        .library(name: "CLSA", targets: ["CLSA"]),
        .library(name: "Reporting", targets: ["Reporting"]),
        .executable(name: "clsa", targets: ["ClsaCLI"]),
    ],
    traits: [
        .trait(name: "MPI",
               description: "Data-parallel pretraining across processes with Open MPI (`clsa pretrain --distributed mpi`); needs libopenmpi-dev."),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // System libraries: a module map and one header each.
        .systemLibrary(
            name: "COpenBLAS",
            providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(
            name: "CPNG",
            pkgConfig: "libpng",
            providers: [.apt(["libpng-dev"])]),
        .systemLibrary(
            name: "CTurboJPEG",
            providers: [.apt(["libturbojpeg0-dev"])]),
        .systemLibrary(
            name: "CZlib",
            providers: [.apt(["zlib1g-dev"])]),
        // The processor's spin-wait hint (header only), for the worker pool's spinning threads.
        .systemLibrary(name: "CProcessorHint"),
        // Open MPI's C API; only the MPI trait links it.
        .systemLibrary(
            name: "CMPI",
            pkgConfig: "ompi-c",
            providers: [.apt(["libopenmpi-dev"])]),

        // libpng's full reading API reports errors by longjmp; the setjmp lives here.
        .target(
            name: "CImageCodecs",
            dependencies: ["CPNG"]),

        .target(
            name: "TensorCore",
            dependencies: ["COpenBLAS", "CProcessorHint"]),
        .target(
            name: "Augment",
            dependencies: ["TensorCore", "CImageCodecs", "CPNG", "CTurboJPEG", "CZlib"]),
        .target(
            name: "CLSA",
            dependencies: ["TensorCore", "Augment", "CZlib"]),
        // The MPI process group behind `clsa pretrain --distributed mpi`. Without the MPI trait
        // it is an empty module, so a plain `swift build` needs no Open MPI.
        .target(
            name: "CLSAMPI",
            dependencies: [
                "CLSA",
                "TensorCore",
                .target(name: "CMPI", condition: .when(traits: ["MPI"])),
            ]),
        .executableTarget(
            name: "ClsaCLI",
            dependencies: [
                "CLSA",
                .target(name: "CLSAMPI", condition: .when(traits: ["MPI"])),
                "Augment",
                "TensorCore",
                "Benchmarking",
                "Reporting",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),

        // Charts of a run's records (line charts, a bitmap font), drawn to RGB images.
        .target(
            name: "Reporting",
            dependencies: ["CLSA", "Augment"]),

        // Speed measurements behind `clsa bench` and `clsa bench-data` (not a product).
        .target(
            name: "Benchmarking",
            dependencies: ["TensorCore", "Augment", "CLSA", "COpenBLAS"]),

        // Damaged-image corpora and the fuzzing run of Scripts/fuzz-decoders (not a product).
        .target(
            name: "DecoderFuzzing",
            dependencies: ["Augment", "CLSA", "TensorCore", "CZlib"]),
        .executableTarget(
            name: "FuzzDecoders",
            dependencies: [
                "DecoderFuzzing",
                "ProcessRunning",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),

        // Child processes run to completion with a time limit, for the fuzzing runs (not a product).
        .target(name: "ProcessRunning"),

        // Damaged-checkpoint corpora and the fuzzing run of Scripts/fuzz-checkpoints (not a product).
        .target(
            name: "CheckpointFuzzing",
            dependencies: ["CLSA", "TensorCore", "ProcessRunning"]),
        .executableTarget(
            name: "FuzzCheckpoints",
            dependencies: [
                "CheckpointFuzzing",
                "ProcessRunning",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),

        // The finite-difference gradient checker the tests share (not a product).
        .target(
            name: "GradientChecking",
            dependencies: ["TensorCore"],
            path: "Tests/Support/GradientChecking"),

        .testTarget(name: "TensorCoreTests", dependencies: ["TensorCore", "GradientChecking", "Benchmarking"]),
        .testTarget(name: "AugmentTests", dependencies: ["Augment", "DecoderFuzzing", "Benchmarking"], resources: [.copy("Fixtures")]),
        .testTarget(name: "CLSATests", dependencies: ["CLSA", "DecoderFuzzing", "Benchmarking", "GradientChecking", "Reporting", "CheckpointFuzzing", "ProcessRunning"], exclude: ["Fixtures"]),
        .testTarget(name: "LibraryExampleTests", dependencies: ["CLSA", "Augment", "TensorCore"]),
        .testTarget(name: "ReportingTests", dependencies: ["Reporting", "CLSA", "Augment"]),
        .testTarget(name: "ClsaCLITests", dependencies: ["ClsaCLI"]),
    ],
    swiftLanguageModes: [.v5]
)
