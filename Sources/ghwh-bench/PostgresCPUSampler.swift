import Foundation
import GHWHProcess
import GHWHWarehouse

/// Splits a PostgreSQL server's CPU over a run by session: every 100 ms it reads
/// `pg_stat_activity` (ghwh's sessions name themselves, `SessionName`) and each backend's CPU so
/// far from /proc. A backend that ends between two samples loses up to a period
/// of CPU; the budget shows that remainder as not attributed.
final class PostgresCPUSampler: @unchecked Sendable {
    /// What a budget row calls a session.
    enum Role: String, CaseIterable {
        case loader = "loader session (COPY, merge)"
        case gold = "gold sessions"
        case otherGhwh = "other ghwh sessions"
        case background = "background (WAL, checkpoints)"
        case other = "other sessions (this sampler)"

        init(applicationName: String, backendType: String) {
            guard backendType == "client backend" else {
                self = .background
                return
            }
            switch applicationName {
            case SessionName.loader: self = .loader
            case SessionName.gold: self = .gold
            case SessionName.other: self = .otherGhwh
            default: self = .other
            }
        }
    }

    private struct Backend {
        var role: Role
        var first: Double
        var last: Double
    }

    private let db: PGConnection
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var stopping = false
    private var finished = false
    private var backends: [Int: Backend] = [:]

    /// Takes the first sample (the baseline of the backends alive before the run).
    init(conninfo: String) throws {
        db = try PGConnection(conninfo: conninfo, applicationName: "ghwh-bench")
        try sample(baseline: true)
    }

    func start() {
        Thread { [self] in
            condition.lock()
            while !stopping {
                condition.unlock()
                try? sample(baseline: false)
                condition.lock()
                if !stopping { _ = condition.wait(until: Date().addingTimeInterval(0.1)) }
            }
            finished = true
            condition.broadcast()
            condition.unlock()
        }.start()
    }

    /// Stops sampling; the CPU seconds each role used since the baseline.
    func stop() -> [Role: Double] {
        condition.lock()
        stopping = true
        condition.broadcast()
        while !finished { condition.wait() }
        condition.unlock()
        db.close()
        var seconds: [Role: Double] = [:]
        for backend in backends.values { seconds[backend.role, default: 0] += backend.last - backend.first }
        return seconds
    }

    private func sample(baseline: Bool) throws {
        let rows = try db.query("SELECT pid, application_name, backend_type FROM pg_stat_activity")
        for row in rows {
            guard let pid = row.int("pid").map({ Int($0) }), let cpu = ProcessCPU(pid: pid)?.seconds else { continue }
            let role = Role(
                applicationName: row.string("application_name") ?? "", backendType: row.string("backend_type") ?? "")
            condition.lock()
            // A backend first seen after the baseline started during the run: all its CPU counts.
            if backends[pid] == nil { backends[pid] = Backend(role: role, first: baseline ? cpu : 0, last: cpu) }
            // A new session's name shows once its startup ends.
            if role != .other { backends[pid]?.role = role }
            backends[pid]?.last = cpu
            condition.unlock()
        }
    }
}
