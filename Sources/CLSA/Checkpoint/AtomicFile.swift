import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Crash-safe file replacement: after `write` returns, the file at `path` holds either its
/// old contents or all of the new ones, even across a kill -9 or a power cut.
public enum AtomicFile {
    /// Writes `bytes` to a temporary file in `path`'s folder, fsyncs it, renames it over `path`
    /// and fsyncs the folder. Throws `CheckpointError`-style messages naming `path`
    /// (e.g. "no space left on device"), removing the temporary file.
    public static func write(_ bytes: [UInt8], to path: String) throws {
        let folder = (path as NSString).deletingLastPathComponent
        let temporary = (folder.isEmpty ? "." : folder) + "/.\((path as NSString).lastPathComponent).tmp-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw failure(path, "cannot create '\(temporary)'") }
        var written = 0
        let ok: Bool = bytes.withUnsafeBytes { raw in
            while written < raw.count {
                let n = Glibc.write(fd, raw.baseAddress!.advanced(by: written), min(raw.count - written, 1 << 30))
                if n < 0 { if errno == EINTR { continue }; return false }
                written += n
            }
            return fsync(fd) == 0
        }
        let savedErrno = errno
        close(fd)
        guard ok else {
            unlink(temporary)
            throw failure(path, "write failed after \(written) of \(bytes.count) bytes", code: savedErrno)
        }
        guard rename(temporary, path) == 0 else {
            let code = errno
            unlink(temporary)
            throw failure(path, "cannot rename the temporary file into place", code: code)
        }
        let dirfd = open(folder.isEmpty ? "." : folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dirfd >= 0 {
            fsync(dirfd)
            close(dirfd)
        }
    }

    private static func failure(_ path: String, _ what: String, code: Int32 = errno) -> CheckpointError {
        CheckpointError(file: path, "\(what): \(String(cString: strerror(code)))")
    }
}
