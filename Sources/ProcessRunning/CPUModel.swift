import Foundation

/// The processor a run's figures were measured on.
package enum CPUModel {
    /// The first `model name` of `/proc/cpuinfo` ("AMD EPYC 7B13"), or `unknown`.
    package static var name: String {
        let info = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let line = info.split(separator: "\n").first { $0.hasPrefix("model name") }
        return line.map { $0.split(separator: ":", maxSplits: 1).last!.trimmingCharacters(in: .whitespaces) } ?? "unknown"
    }
}
