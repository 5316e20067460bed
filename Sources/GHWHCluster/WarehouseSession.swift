import Foundation
import GHWHModel
import GHWHWarehouse
import Logging

/// Who writes: the warehouse's single writer takes `WriterLock` on its session.
public struct WriterIdentity: Sendable {
    /// Who holds the lock, for a second writer's message.
    public var holder: String
    /// Seconds to wait for another writer (0: not at all; nil: as long as it takes).
    public var wait: Double?
    /// True ends a wait early (the writer was asked to stop).
    public var cancelled: @Sendable () -> Bool
    public init(holder: String, wait: Double?, cancelled: @escaping @Sendable () -> Bool = { false }) {
        self.holder = holder
        self.wait = wait
        self.cancelled = cancelled
    }
}

/// One connection to the warehouse that survives outages: every use runs
/// through `withRetry`, which reconnects on the `reconnect` schedule. A
/// session with a `WriterIdentity` is the warehouse's writer (the loader's);
/// one without only reads (the coordinator's planning).
final class WarehouseSession {
    let conninfo: String
    /// The session's name in `pg_stat_activity`.
    let applicationName: String
    let logger: Logger
    let reconnect: Backoff
    let writer: WriterIdentity?
    private var connection: PGConnection?
    private var store: SilverStore?
    private var goldStore: GoldStore?

    /// Reconnecting to PostgreSQL within one write (and one gold task): the
    /// one schedule, given up after 30 s of waiting so `ghwh run` and the
    /// coordinator's planning fail with the error instead of hanging through a
    /// long outage (a rerun completes the job; the cluster loader's
    /// `commitUntilDone` retries around this without end).
    static let reconnect = Backoff(budget: 30)

    init(
        conninfo: String, logger: Logger, writer: WriterIdentity?, reconnect: Backoff = WarehouseSession.reconnect,
        applicationName: String = SessionName.other
    ) {
        self.conninfo = conninfo
        self.applicationName = applicationName
        self.logger = logger
        self.writer = writer
        self.reconnect = reconnect
    }

    /// Connects now (a writer takes the writer lock, waiting as its identity says).
    func connect() throws { try withRetry { _ in } }

    /// Runs `body` against a live store, reconnecting with backoff when the
    /// connection is lost. A transaction that failed midway rolled back, so
    /// re-applying the same message is safe (task commits are idempotent).
    func withRetry(_ body: (SilverStore) throws -> Void) throws {
        var backoff = reconnect
        while true {
            do {
                let store = try currentStore()
                try body(store)
                return
            } catch let error as PGError where error.isConnectionFailure || !(connection?.isAlive ?? false) {
                dropConnection()
                guard let delay = backoff.nextDelay() else {
                    throw WarehouseError("PostgreSQL unreachable after \(backoff.retries + 1) attempts: \(error)")
                }
                logger.warning(
                    "PostgreSQL connection failed; retrying",
                    metadata: [
                        "attempt": "\(backoff.retries)", "delay_s": "\(delay)", "error": "\(error)",
                    ])
                Thread.sleep(forTimeInterval: delay)
            }
        }
    }

    /// Runs `body` with the gold store, reconnecting like every other use.
    func withGoldStore<T>(_ body: (GoldStore) throws -> T) throws -> T {
        var result: T?
        try withRetry { _ in result = try body(try self.goldStoreForCurrentConnection()) }
        return result!
    }

    /// Only valid inside `withRetry` (which has just made the connection).
    func goldStoreForCurrentConnection() throws -> GoldStore {
        _ = try currentStore()
        return goldStore!
    }

    func close() {
        // The server ends a closed session (and its locks) a moment later; the next writer
        // should not find the writer lock still held, so it is released here first.
        if writer != nil, let connection, connection.isAlive {
            _ = try? connection.query("SELECT pg_advisory_unlock_all()")
        }
        dropConnection()
    }

    private func dropConnection() {
        connection?.close()
        connection = nil
        store = nil
        goldStore = nil
    }

    private func currentStore() throws -> SilverStore {
        if let store { return store }
        let c = try PGConnection(conninfo: conninfo, applicationName: applicationName)
        // An acknowledged commit must survive a server crash whatever the
        // server's default (bulk-load servers often run synchronous_commit = off).
        try c.execute("SET synchronous_commit = on")
        if let writer {
            do {
                try WriterLock.take(on: c, holder: writer.holder, wait: writer.wait, cancelled: writer.cancelled) {
                    [logger] busy in
                    logger.notice(
                        "waiting for the warehouse's other writer to finish",
                        metadata: ["holder": "\(busy.holder)", "since": "\(busy.since)"])
                }
            } catch {
                c.close()
                throw error
            }
        }
        let s = try SilverStore(c)
        connection = c
        store = s
        goldStore = GoldStore(c)
        return s
    }
}
