import TensorCore

/// Where a run or checkpoint was made: the library version, the CPU and OpenBLAS's kernel.
/// Recorded in `config.json` and in every checkpoint's metadata.
public struct RunProvenance: Codable, Equatable, Sendable {
    /// `CLSAVersion.string`.
    public var version: String
    /// The CPU's model name from `/proc/cpuinfo` ("unknown" where it cannot be read).
    public var cpuModel: String
    /// OpenBLAS's kernel (`openblas_get_corename`), e.g. `Cooperlake`.
    public var blasCore: String

    public init(version: String, cpuModel: String, blasCore: String) {
        self.version = version
        self.cpuModel = cpuModel
        self.blasCore = blasCore
    }

    /// This process's version, CPU and kernel.
    public static var current: RunProvenance {
        RunProvenance(version: CLSAVersion.string, cpuModel: CPUFeatures.current?.modelName ?? "unknown",
                      blasCore: BLASKernel.inUse)
    }

    enum CodingKeys: String, CodingKey {
        case version
        case cpuModel = "cpu_model"
        case blasCore = "blas_core"
    }
}
