import Foundation

/// The processor's name, vendor and instruction-set flags, as Linux reports them in
/// `/proc/cpuinfo`.
///
/// Used to tell which OpenBLAS kernel the CPU can run (see `BLASKernel`). Only the first
/// processor's block is read: the cores of one machine share one feature set.
///
/// ```swift
/// if let cpu = CPUFeatures.current, cpu.has("avx512f") { ... }
/// ```
public struct CPUFeatures: Equatable, Sendable {
    /// `model name`, e.g. "Intel(R) Xeon(R) Platinum 8480+"; empty when the file has none.
    public var modelName: String
    /// `vendor_id`, e.g. "GenuineIntel" or "AuthenticAMD"; empty when the file has none.
    public var vendor: String
    /// The `flags` line's words, e.g. "avx2", "fma", "avx512f", "avx512_bf16".
    public var flags: Set<String>
    /// `cpu family`, e.g. 6 (Intel's cores) or 25 (AMD Zen 3 and Zen 4); nil when the file has none.
    public var family: Int?

    public init(modelName: String, vendor: String, flags: Set<String>, family: Int? = nil) {
        self.modelName = modelName
        self.vendor = vendor
        self.flags = flags
        self.family = family
    }

    /// Whether the CPU (and the kernel, which hides flags it does not enable) reports `flag`.
    public func has(_ flag: String) -> Bool { flags.contains(flag) }

    /// Whether the vendor is AMD, whose AVX2 parts OpenBLAS serves with its `Zen` kernel.
    public var isAMD: Bool { vendor == "AuthenticAMD" }

    /// Whether the CPU runs AVX-512 instructions as two 256-bit halves: AMD's Zen 4 (family
    /// 25, the only family-25 cores with AVX-512). Zen 5 (family 26) has full-width units.
    public var splitsAVX512: Bool { isAMD && family == 25 && BLASKernelLevel(supportedBy: self) >= .avx512 }

    /// Reads the first processor block of `/proc/cpuinfo` text.
    ///
    /// - Returns: `nil` when the text has no `flags` line before the first blank line (not
    ///   Linux/x86, or an unreadable file), since nothing can then be said about the CPU.
    public static func parse(cpuinfo text: String) -> CPUFeatures? {
        var modelName = "", vendor = "", flags: Set<String>?, family: Int?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.allSatisfy(\.isWhitespace) {
                if flags != nil { break } else { continue }
            }
            guard let colon = line.firstIndex(of: ":") else { continue }
            let key = line[..<colon].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            switch key {
            case "model name" where modelName.isEmpty: modelName = value
            case "vendor_id" where vendor.isEmpty: vendor = value
            case "cpu family" where family == nil: family = Int(value)
            case "flags" where flags == nil: flags = Set(value.split(separator: " ").map(String.init))
            default: break
            }
        }
        guard let flags else { return nil }
        return CPUFeatures(modelName: modelName, vendor: vendor, flags: flags, family: family)
    }

    /// This machine's CPU, read once from `/proc/cpuinfo`; `nil` where that file is missing
    /// or has no flags.
    public static let current: CPUFeatures? = {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return nil }
        return parse(cpuinfo: text)
    }()
}
