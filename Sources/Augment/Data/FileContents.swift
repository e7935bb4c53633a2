#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whole-file reads with the operating system's reason when they fail.
package enum FileContents {
    /// Why a file could not be read: the system's message (`No such file or directory`).
    package struct ReadFailure: Error {
        package let reason: String
    }

    /// All bytes of the file at `path`.
    /// - Throws: `ReadFailure` when the path cannot be opened, is a directory, or a read fails.
    package static func bytes(atPath path: String) throws -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw ReadFailure(reason: systemMessage()) }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw ReadFailure(reason: systemMessage()) }
        guard (status.st_mode & S_IFMT) != S_IFDIR else { throw ReadFailure(reason: "is a directory") }
        var bytes = [UInt8](repeating: 0, count: max(Int(status.st_size), 0))
        var filled = 0
        while true {
            if filled == bytes.count {
                // The file may have grown since fstat (or be a pipe reporting no size): keep reading.
                bytes.append(contentsOf: repeatElement(0, count: max(bytes.count, 4096)))
            }
            let got = bytes.withUnsafeMutableBytes { buffer in
                read(descriptor, buffer.baseAddress! + filled, buffer.count - filled)
            }
            if got == 0 { break }
            if got < 0 {
                if errno == EINTR { continue }
                throw ReadFailure(reason: systemMessage())
            }
            filled += got
        }
        bytes.removeSubrange(filled...)
        return bytes
    }

    /// Whether something exists at `path` (following symbolic links).
    static func exists(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0
    }

    private static func systemMessage() -> String {
        String(cString: strerror(errno))
    }
}
