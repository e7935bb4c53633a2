import COpenBLAS
import Foundation

/// The x86-64 instruction-set level an OpenBLAS kernel is written for (or a CPU supports),
/// in increasing order. sgemm speed roughly doubles with each of SSE → AVX2 → AVX-512.
public enum BLASKernelLevel: Int, Comparable, Sendable {
    /// SSE2/SSE3/SSSE3/SSE4 kernels (Prescott, Core2, Nehalem, Opteron, ...).
    case sse
    /// AVX without AVX2 (Sandybridge, Bulldozer, Piledriver, Steamroller).
    case avx
    /// AVX2 + FMA (Haswell, Zen, Excavator).
    case avx2
    /// AVX-512 F/BW/VL/DQ (SkylakeX).
    case avx512
    /// AVX-512 with the bfloat16 instructions (Cooperlake, and later cores).
    case avx512BF16

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The highest level `cpu` supports.
    public init(supportedBy cpu: CPUFeatures) {
        if ["avx512f", "avx512bw", "avx512vl", "avx512dq"].allSatisfy(cpu.has) {
            self = cpu.has("avx512_bf16") ? .avx512BF16 : .avx512
        } else if cpu.has("avx2") && cpu.has("fma") {
            self = .avx2
        } else if cpu.has("avx") {
            self = .avx
        } else {
            self = .sse
        }
    }

    /// The level of the OpenBLAS core named `name` (as `openblas_get_corename()` spells it;
    /// case-insensitive), or `nil` for a name this table does not know (a newer OpenBLAS),
    /// which is then never second-guessed.
    public init?(core name: String) {
        switch name.lowercased() {
        case "unknown", "katmai", "coppermine", "northwood", "prescott", "banias", "atom",
             "core2", "penryn", "dunnington", "nehalem", "athlon", "opteron", "opteron(sse3)",
             "barcelona", "nano", "bobcat":
            self = .sse
        case "sandybridge", "bulldozer", "piledriver", "steamroller":
            self = .avx
        case "haswell", "zen", "excavator":
            self = .avx2
        case "skylakex":
            self = .avx512
        case "cooperlake", "sapphirerapids":
            self = .avx512BF16
        default:
            return nil
        }
    }
}

/// An OpenBLAS kernel older than what the CPU supports, and what to say about it.
public struct BLASKernelMismatch: Equatable, Sendable {
    /// The core OpenBLAS runs, e.g. "Prescott".
    public var inUse: String
    /// The core this CPU supports, e.g. "Cooperlake"; the value to give `OPENBLAS_CORETYPE`.
    public var recommended: String
    /// The user's `OPENBLAS_CORETYPE`, when they set one.
    public var userCoreType: String?

    public init(inUse: String, recommended: String, userCoreType: String?) {
        self.inUse = inUse
        self.recommended = recommended
        self.userCoreType = userCoreType
    }

    /// One line for stderr.
    public var message: String {
        if let inUseLevel = BLASKernelLevel(core: inUse), let recommendedLevel = BLASKernelLevel(core: recommended),
           inUseLevel > recommendedLevel {
            // Only the wide workload on a CPU that splits AVX-512 gets here, and only when
            // OpenBLAS chose the core itself (`decide`).
            return "OpenBLAS chose its \(inUse) kernel, slower on this CPU's wide GEMMs than its \(recommended) kernel "
                + "(AVX-512 runs as two 256-bit halves); set OPENBLAS_CORETYPE=\(recommended) before the process starts"
        }
        let older = "older than the \(recommended) kernel this CPU supports, so sgemm is slower"
        if let userCoreType {
            return "OpenBLAS uses its \(inUse) kernel (OPENBLAS_CORETYPE=\(userCoreType)), \(older)"
        }
        return "OpenBLAS chose its \(inUse) kernel, \(older) (up to 5×); "
            + "set OPENBLAS_CORETYPE=\(recommended) before the process starts"
    }
}

/// What to do at start-up about OpenBLAS's kernel choice.
public enum BLASKernelAction: Equatable, Sendable {
    /// The kernel in use is as new as the CPU allows, or nothing better is known.
    case keep
    /// Set `OPENBLAS_CORETYPE` to `mismatch.recommended` and re-execute the process (OpenBLAS
    /// picks its kernel once, when the library loads, before `main`).
    case relaunch(BLASKernelMismatch)
    /// Report the mismatch but change nothing: the user chose the core, or a relaunch already
    /// happened and did not help.
    case warn(BLASKernelMismatch)
}

/// OpenBLAS's kernel: the one in use, the one this CPU supports, and the start-up decision.
///
/// Debian's OpenBLAS 0.3.21 detects CPUs newer than itself (e.g. Sapphire Rapids, family 6
/// model 207) as "Prescott" and runs its SSE3 sgemm about 5× slower than its AVX-512 one.
/// The `clsa` executable re-executes itself with `OPENBLAS_CORETYPE` set when
/// `decide(...)` says so; library users get one warning line from `checkAndWarn()`.
///
/// ```swift
/// print("blas_core: \(BLASKernel.inUse)")   // e.g. "Cooperlake"
/// ```
public enum BLASKernel {
    /// The environment variable that marks a process as already re-executed by `clsa`.
    public static let relaunchMarker = "CLSA_BLAS_RELAUNCHED"

    /// The core OpenBLAS chose when it loaded (`openblas_get_corename()`), e.g. "Haswell".
    public static var inUse: String { String(cString: openblas_get_corename()) }

    /// The core this machine's CPU supports, or `nil` when its features are unknown or below AVX2.
    public static var recommended: String? { CPUFeatures.current.flatMap { recommendedCore(for: $0) } }

    /// The OpenBLAS core for `cpu`'s best level: Cooperlake (AVX-512 + BF16), SkylakeX
    /// (AVX-512 F/BW/VL/DQ), Zen (AMD) or Haswell (others) for AVX2 + FMA; `nil` below AVX2,
    /// where OpenBLAS's own detection is trusted. Scripts/blas-env makes the same choice (for
    /// the general workload).
    ///
    /// The `wide` workload on a CPU that runs AVX-512 as two 256-bit halves (AMD Zen 4,
    /// `CPUFeatures.splitsAVX512`) takes the Zen kernel instead. Measured on a 2-core AMD EPYC
    /// (family 25 model 17, BENCHMARKS.md): the sgemm shapes of ResNet-50 ran 1.03–1.23× faster
    /// on Zen than on Cooperlake (one level, 2048×512×1568), and its CLSA-Single step 1.03–1.08×;
    /// but the `fashion-mnist` preset's step ran at 0.78–0.90× on Zen: its small products go to
    /// Cooperlake's small-matrix kernels, which skip the packing.
    public static func recommendedCore(for cpu: CPUFeatures, workload: BLASWorkload = .general) -> String? {
        if workload == .wide && cpu.splitsAVX512 { return "Zen" }
        return switch BLASKernelLevel(supportedBy: cpu) {
        case .avx512BF16: "Cooperlake"
        case .avx512: "SkylakeX"
        case .avx2: cpu.isAMD ? "Zen" : "Haswell"
        case .avx, .sse: nil
        }
    }

    /// The start-up decision, a pure function of its inputs.
    ///
    /// - Parameters:
    ///   - inUse: the core OpenBLAS chose (`inUse`).
    ///   - cpu: the CPU's features, `nil` when unknown.
    ///   - userCoreType: `OPENBLAS_CORETYPE` as the process found it (`nil` or empty: unset).
    ///   - relaunched: whether `relaunchMarker` is set, i.e. this process is the re-execution.
    ///   - workload: the GEMMs the process will run (`recommendedCore(for:workload:)`).
    /// - Returns: `.keep` unless `inUse` is a known core of another level than the recommended
    ///   one; then `.relaunch` if neither the user nor an earlier re-execution chose the core,
    ///   else `.warn` for a lower level and `.keep` for a higher one (the workload's best core
    ///   is not the CPU's newest, but the one chosen is no fallback). Cores of one level
    ///   (Haswell, Zen) count as equal, so a correct detection is never overridden, and a core
    ///   newer than the CPU (only a user's setting gets there) is left to OpenBLAS's own fallback.
    public static func decide(inUse: String, cpu: CPUFeatures?, userCoreType: String?,
                              relaunched: Bool, workload: BLASWorkload = .general) -> BLASKernelAction {
        guard let cpu, let recommended = recommendedCore(for: cpu, workload: workload),
              let inUseLevel = BLASKernelLevel(core: inUse), let recommendedLevel = BLASKernelLevel(core: recommended),
              inUseLevel <= BLASKernelLevel(supportedBy: cpu), inUseLevel != recommendedLevel else { return .keep }
        let userSetting = userCoreType.flatMap { $0.isEmpty ? nil : $0 }
        let mismatch = BLASKernelMismatch(inUse: inUse, recommended: recommended, userCoreType: userSetting)
        guard userSetting != nil || relaunched else { return .relaunch(mismatch) }
        return inUseLevel < recommendedLevel ? .warn(mismatch) : .keep
    }

    /// The GEMMs this process runs: a host program that knows them (the `clsa` executable, for
    /// its command) sets this before its first product, and `checkAndWarn` judges the kernel
    /// against it.
    nonisolated(unsafe) public static var processWorkload = BLASWorkload.general

    /// `decide` for this process: its OpenBLAS core, CPU, environment and `processWorkload`.
    /// An `OPENBLAS_CORETYPE` that `clsa`'s own re-execution set is not the user's.
    public static func decideForThisProcess() -> BLASKernelAction {
        let environment = ProcessInfo.processInfo.environment
        return decide(inUse: inUse, cpu: CPUFeatures.current,
                      userCoreType: OpenBLASEnvironment.environmentBeforeRelaunch(environment)["OPENBLAS_CORETYPE"],
                      relaunched: environment[relaunchMarker] != nil, workload: processWorkload)
    }

    /// Prints one line to stderr, the first time it is called in the process, when OpenBLAS
    /// runs an older kernel than the CPU supports (a library cannot re-execute its host
    /// process, so it only says what to set). `sgemm` calls it before its first product.
    ///
    /// - Returns: the mismatch, or `nil` when the kernel is the recommended one's level.
    @discardableResult
    public static func checkAndWarn() -> BLASKernelMismatch? { warnedMismatch }

    private static let warnedMismatch: BLASKernelMismatch? = {
        let mismatch: BLASKernelMismatch
        switch decideForThisProcess() {
        case .keep: return nil
        case .relaunch(let m), .warn(let m): mismatch = m
        }
        FileHandle.standardError.write(Data("warning: \(mismatch.message)\n".utf8))
        return mismatch
    }()
}
