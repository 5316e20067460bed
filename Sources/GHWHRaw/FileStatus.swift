#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// What a path is, following symbolic links (stat(2)).
enum FileStatus: Equatable {
    /// Nothing there (ENOENT, ENOTDIR; also a dangling symbolic link).
    case missing
    /// stat(2) failed for another reason (a folder on the way that cannot be
    /// searched: EACCES; a symbolic link loop; an I/O error): the reason. Not
    /// "missing": unreadable data must fail a job, not look like no data.
    case inaccessible(String)
    case directory
    case regularFile(size: Int64)
    case other

    static func of(_ path: String) -> FileStatus {
        var info = stat()
        guard stat(path, &info) == 0 else {
            let code = errno
            if code == ENOENT || code == ENOTDIR { return .missing }
            return .inaccessible(String(cString: strerror(code)))
        }
        switch info.st_mode & S_IFMT {
        case S_IFDIR: return .directory
        case S_IFREG: return .regularFile(size: Int64(info.st_size))
        default: return .other
        }
    }
}

/// A file's identity and version as stat(2) sees it: a rewrite (in place or
/// by rename), a truncation or an append changes it. The planner compares
/// the version it hashed with the one it read, so a file that changes while
/// it is read fails instead of loading a mix of two versions.
public struct FileVersion: Equatable, Sendable, CustomStringConvertible {
    public let size: Int64
    public let modifiedSeconds: Int
    public let modifiedNanoseconds: Int
    public let inode: UInt64
    public let device: UInt64

    /// The file's version now; nil when it is gone.
    public static func of(_ path: String) -> FileVersion? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return FileVersion(
            size: Int64(info.st_size), modifiedSeconds: Int(info.st_mtim.tv_sec),
            modifiedNanoseconds: Int(info.st_mtim.tv_nsec), inode: UInt64(info.st_ino),
            device: UInt64(info.st_dev))
    }

    public var description: String {
        "\(size) bytes, modified \(modifiedSeconds).\(String(format: "%09d", modifiedNanoseconds)), inode \(inode)"
    }
}

/// A raw file changed or disappeared between being hashed and being read.
public struct FileChangedError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
