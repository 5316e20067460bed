#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// What a path is, following symbolic links (stat(2)).
enum FileStatus: Equatable {
    case missing
    case directory
    case regularFile(size: Int64)
    case other

    static func of(_ path: String) -> FileStatus {
        var info = stat()
        guard stat(path, &info) == 0 else { return .missing }
        switch info.st_mode & S_IFMT {
        case S_IFDIR: return .directory
        case S_IFREG: return .regularFile(size: Int64(info.st_size))
        default: return .other
        }
    }
}
