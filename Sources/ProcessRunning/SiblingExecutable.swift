import Foundation

/// Another product of the same build, found beside the running program.
package enum SiblingExecutable {
    /// The path of executable `name` in the running program's folder (`.build/release/clsa`
    /// beside `.build/release/FuzzDecoders`).
    package static func path(named name: String) -> String {
        let program = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        return program.deletingLastPathComponent().appendingPathComponent(name).path
    }
}
