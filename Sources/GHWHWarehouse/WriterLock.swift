import Foundation

/// The warehouse has one writer at a time: `ghwh run` or the cluster's
/// loader. The writer holds a session-level PostgreSQL advisory lock on a
/// connection of its own for as long as it writes (a crashed writer's session
/// ends and so does its lock); a second writer waits, naming the holder and
/// since when, or gives up with that message.
public enum WriterLock {
    /// Arbitrary constant identifying ghwh's writer lock ("ghwhwrit").
    static let key: Int64 = 0x6768_7768_7772_6974

    public struct Busy: Error, CustomStringConvertible, Sendable {
        public let holder: String
        public let since: String
        public let waited: Double?
        public var description: String {
            let who = "the warehouse has another writer: \(holder), since \(since)"
            return waited.map { "\(who); gave up after waiting \(Int($0)) s (--wait-timeout)" }
                ?? "\(who) (--no-wait; without it, ghwh waits for it to finish)"
        }
    }

    /// Takes the lock on `db`'s session for `holder` (e.g. "ghwh run job-... (pid 123 on host)"):
    /// it is held until that session ends, so a writer that crashes or loses its
    /// connection holds it no longer (and takes it again when it reconnects).
    /// - Parameters:
    ///   - wait: seconds to wait for the current holder; 0: fail at once; nil: wait as long as it takes.
    ///   - waiting: told who holds the lock, when the wait starts and every `reportEvery` seconds.
    ///   - cancelled: checked while waiting; true ends the wait with an error (a writer asked to stop).
    public static func take(
        on db: PGConnection, holder: String, wait: Double?, reportEvery: Double = 30,
        cancelled: () -> Bool = { false }, waiting: (Busy) -> Void
    ) throws {
        let started = Date()
        var reported: Date?
        while true {
            if cancelled() { throw WarehouseError("stopped while waiting for the warehouse's writer lock") }
            if try db.query("SELECT pg_try_advisory_lock($1)", [String(key)]).rows.first?[0] == "t" {
                try db.command(
                    """
                    INSERT INTO ghwh_meta.writer_lock (id, holder, since) VALUES (1, $1, now())
                    ON CONFLICT (id) DO UPDATE SET holder = excluded.holder, since = excluded.since
                    """, [holder])
                return
            }
            let row = try db.query(
                """
                SELECT holder, to_char(since AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') || ' UTC' FROM ghwh_meta.writer_lock
                """
            ).rows.first
            let waited = Date().timeIntervalSince(started)
            let busy = Busy(
                holder: row?[0] ?? "an unknown writer", since: row?[1] ?? "an unknown time",
                waited: wait == 0 ? nil : waited)
            if wait == 0 { throw busy }
            if let wait, waited >= wait { throw busy }
            if reported.map({ Date().timeIntervalSince($0) >= reportEvery }) ?? true {
                waiting(busy)
                reported = Date()
            }
            Thread.sleep(forTimeInterval: 0.2)  // polling the lock, bounded by the caller's wait
        }
    }
}
