import Foundation

/// The process's high-water mark of resident memory.
package enum PeakMemory {
    #if os(Linux)
    // Glibc imports RUSAGE_SELF as an enum case while getrusage takes its raw Int32.
    private static let rusageSelf = __rusage_who_t(RUSAGE_SELF.rawValue)
    #else
    private static let rusageSelf = RUSAGE_SELF
    #endif

    /// Peak resident set size so far, in MiB (`getrusage`'s `ru_maxrss`).
    package static var residentMegabytes: Double {
        var usage = rusage()
        guard getrusage(rusageSelf, &usage) == 0 else { return 0 }
        #if os(Linux)
        let bytes = Double(usage.ru_maxrss) * 1024  // Linux reports KiB
        #else
        let bytes = Double(usage.ru_maxrss)  // Darwin reports bytes
        #endif
        return bytes / (1024 * 1024)
    }
}
