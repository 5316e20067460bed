import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Small file-system and process facts the embedded server's lifecycle needs.
enum ServerFiles {
    /// The PID on the first line of a postmaster.pid / socket lock file, nil when the file is
    /// missing or holds no number.
    static func pid(inLockFile path: String) -> Int32? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        let firstLine = String(decoding: data, as: UTF8.self).split(separator: "\n").first ?? ""
        // A negative PID marks a standalone backend; its magnitude is the process.
        return Int32(firstLine.trimmingCharacters(in: .whitespaces)).map { abs($0) }
    }

    /// The SysV shared-memory id recorded on line 7 of postmaster.pid ("key id"), if any.
    static func sharedMemoryID(inLockFile path: String) -> Int32? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count >= 7 else { return nil }
        let fields = lines[6].split(separator: " ", omittingEmptySubsequences: true)
        guard fields.count == 2 else { return nil }
        return Int32(fields[1])
    }

    /// True when `pid` is a live (not zombie) process that looks like PostgreSQL. A PID left
    /// in a lock file by a killed server may since belong to someone else, or be a zombie
    /// nobody reaped: neither is a running server.
    static func isLivePostgres(_ pid: Int32) -> Bool {
        guard pid > 0 else { return false }
        if kill(pid, 0) != 0 && errno != EPERM { return false }
        #if os(Linux)
            if let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            {
                let state = stat[close...].dropFirst(2).first
                if state == "Z" || state == "X" { return false }
            }
            if let comm = try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8) {
                return comm.hasPrefix("postgres") || comm.hasPrefix("postmaster")
            }
        #endif
        return true
    }

    /// True while some process (an orphaned backend of a killed server) still has the SysV
    /// shared-memory segment attached; PostgreSQL refuses to start until it is released.
    static func isSharedMemoryAttached(_ id: Int32) -> Bool {
        #if os(Linux)
            var info = shmid_ds()
            guard shmctl(id, IPC_STAT, &info) == 0 else { return false }
            return info.shm_nattch > 0
        #else
            return false
        #endif
    }

    /// The last lines of a (possibly large) log file, read from its end.
    static func tail(ofFile path: String, maxLines: Int = 30, maxBytes: UInt64 = 16_384) -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else { return "" }
        defer { try? handle.close() }
        let size = (try? handle.seekToEnd()) ?? 0
        try? handle.seek(toOffset: size > maxBytes ? size - maxBytes : 0)
        let data = (try? handle.readToEnd()) ?? Data()
        return tailLines(String(decoding: data, as: UTF8.self), maxLines: maxLines)
    }

    /// Changes the owner of `path` and, when `recursive`, of everything below it (symbolic
    /// links themselves, never their targets).
    static func chown(_ path: String, uid: uid_t, gid: gid_t, recursive: Bool) throws(EmbeddedPostgresError) {
        if lchown(path, uid, gid) != 0 {
            throw EmbeddedPostgresError(
                "cannot chown \(path) to the postgres user: \(String(cString: strerror(errno)))")
        }
        guard recursive, let entries = FileManager.default.enumerator(atPath: path) else { return }
        for case let relative as String in entries {
            let child = path + "/" + relative
            if lchown(child, uid, gid) != 0 {
                throw EmbeddedPostgresError(
                    "cannot chown \(child) to the postgres user: \(String(cString: strerror(errno)))")
            }
        }
    }

    /// The first ancestor of `path` (itself excluded) that the user cannot traverse, with why.
    static func firstUntraversableAncestor(of path: String, uid: uid_t, gid: gid_t, userName: String) -> String? {
        let groups = groupIDs(of: userName, primary: gid)
        var ancestor = (path as NSString).deletingLastPathComponent
        var blocked: String?
        while true {
            var info = stat()
            if stat(ancestor, &info) == 0 {
                let mode = info.st_mode
                let allowed: Bool
                if uid == 0 {
                    allowed = true
                } else if info.st_uid == uid {
                    allowed = mode & S_IXUSR != 0
                } else if groups.contains(info.st_gid) {
                    allowed = mode & S_IXGRP != 0
                } else {
                    allowed = mode & S_IXOTH != 0
                }
                if !allowed {
                    // Report the outermost blocker: fixing it is the first step.
                    blocked = "\(ancestor) (mode \(String(mode & 0o7777, radix: 8)), owner uid \(info.st_uid))"
                }
            }
            if ancestor == "/" || ancestor.isEmpty { break }
            ancestor = (ancestor as NSString).deletingLastPathComponent
        }
        return blocked
    }

    private static func groupIDs(of user: String, primary: gid_t) -> [gid_t] {
        var count: Int32 = 64
        var groups = [gid_t](repeating: 0, count: Int(count))
        #if os(Linux)
            if getgrouplist(user, primary, &groups, &count) == -1 {
                groups = [gid_t](repeating: 0, count: Int(count))
                _ = getgrouplist(user, primary, &groups, &count)
            }
        #else
            var signedGroups = [Int32](repeating: 0, count: Int(count))
            _ = getgrouplist(user, Int32(bitPattern: primary), &signedGroups, &count)
            groups = signedGroups.map { gid_t(bitPattern: $0) }
        #endif
        return Array(groups.prefix(Int(max(count, 0)))) + [primary]
    }
}
