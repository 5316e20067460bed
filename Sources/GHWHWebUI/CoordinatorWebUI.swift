import Dispatch
import Foundation
import Hummingbird

/// Why the web UI could not start.
public enum WebUIError: Error, CustomStringConvertible, Equatable {
    /// Binding `host:port` failed (port in use, bad address, no permission).
    case bindFailed(host: String, port: Int, reason: String)
    /// `start()` was called while the server already runs.
    case alreadyRunning(port: Int)

    public var description: String {
        switch self {
        case .bindFailed(let host, let port, let reason):
            return "web UI could not listen on \(host):\(port): \(reason)"
        case .alreadyRunning(let port):
            return "web UI already running on port \(port)"
        }
    }
}

/// The coordinator's HTTP UI (Spark-master style): HTML pages, a JSON API under
/// `/api/v1/`, `/healthz` and Prometheus `/metrics`.
///
/// Made for a thread-based caller: ``start()`` and ``stop()`` block until the
/// server listens or has stopped. The server runs on SwiftNIO's shared event
/// loops in a detached task; every request calls `snapshot` once.
public final class CoordinatorWebUI: @unchecked Sendable {
    // @unchecked: mutable state lives in `state`, guarded by its lock.

    /// How long ``stop()`` lets open connections finish before cancelling them.
    public static let stopGracePeriod: TimeInterval = 5

    private let host: String
    private let port: Int
    private let snapshot: @Sendable () -> ClusterSnapshot
    private let pastJob: @Sendable (String) -> ClusterSnapshot.Job?
    private let metrics: ClusterMetrics
    private let state = LockedBox<Running?>(nil)
    /// Serializes `start()` and `stop()` so concurrent calls cannot both start a server.
    private let lifecycle = NSLock()

    /// What the server reports once its socket listens.
    private struct Listening: Sendable {
        var port: Int
        var close: @Sendable () -> Void
    }

    private struct Running {
        var port: Int
        /// Closes the listening socket.
        var closeListener: @Sendable () -> Void
        var task: Task<Void, Never>
        var finished: DispatchSemaphore
    }

    /// - Parameters:
    ///   - host: address to bind, e.g. `0.0.0.0` or `127.0.0.1`.
    ///   - port: TCP port; 0 picks a free one (see ``boundPort``).
    ///   - snapshot: called on each request, from any thread.
    ///   - metrics: what `/metrics` serves; its gauges are refreshed from `snapshot` per scrape.
    ///   - pastJob: a job that ended and is no longer in memory (or no longer keeps its
    ///     task table there), as the coordinator's journal kept it: the job pages use it
    ///     like Spark's history server.
    public init(
        host: String, port: Int, snapshot: @escaping @Sendable () -> ClusterSnapshot,
        metrics: ClusterMetrics, pastJob: @escaping @Sendable (String) -> ClusterSnapshot.Job? = { _ in nil }
    ) {
        self.host = host
        self.port = port
        self.snapshot = snapshot
        self.metrics = metrics
        self.pastJob = pastJob
    }

    deinit {
        state.withLock { $0?.task.cancel() }
    }

    /// The router with every route; what the server runs, exposed for in-process tests.
    public func makeRouter() -> Router<BasicRequestContext> {
        WebUIRouter.make(snapshot: snapshot, pastJob: pastJob, metrics: metrics)
    }

    /// The port the server listens on, or nil when it is not running.
    public var boundPort: Int? {
        state.withLock { $0?.port }
    }

    /// Binds and serves in the background; returns once the socket listens.
    /// - Throws: ``WebUIError/bindFailed(host:port:reason:)`` when the address
    ///   cannot be bound (e.g. port in use), ``WebUIError/alreadyRunning(port:)``.
    public func start() throws {
        lifecycle.lock()
        defer { lifecycle.unlock() }
        if let running = boundPort { throw WebUIError.alreadyRunning(port: running) }

        let ready = DispatchSemaphore(value: 0)
        let finished = DispatchSemaphore(value: 0)
        let outcome = LockedBox<Result<Listening, any Error>?>(nil)
        // Whoever settles `outcome` first wakes `start()`; later settlements are ignored.
        @Sendable func settle(_ result: Result<Listening, any Error>) {
            let first = outcome.withLock { value -> Bool in
                guard value == nil else { return false }
                value = result
                return true
            }
            if first { ready.signal() }
        }

        let app = Application(
            router: makeRouter(),
            configuration: .init(address: .hostname(host, port: port), serverName: "ghwh"),
            onServerRunning: { channel in
                settle(
                    .success(
                        Listening(
                            port: channel.localAddress?.port ?? 0,
                            close: { channel.close(promise: nil) })))
            }
        )
        let task = Task.detached {
            do {
                try await app.run()
                settle(.failure(CancellationError()))
            } catch {
                settle(.failure(error))
            }
            finished.signal()
        }
        ready.wait()

        switch outcome.withLock({ $0 }) {
        case .success(let listening)?:
            state.withLock {
                $0 = Running(port: listening.port, closeListener: listening.close, task: task, finished: finished)
            }
        case .failure(let error)?:
            throw WebUIError.bindFailed(host: host, port: port, reason: Self.describe(error))
        case nil:
            throw WebUIError.bindFailed(host: host, port: port, reason: "server ended before listening")
        }
    }

    /// Stops accepting connections, lets open requests finish (up to
    /// ``stopGracePeriod``), then cancels what is left. Returns when stopped.
    /// Does nothing if the server is not running.
    public func stop() {
        lifecycle.lock()
        defer { lifecycle.unlock() }
        guard
            let running = state.withLock({ value -> Running? in
                defer { value = nil }
                return value
            })
        else { return }
        // Closing the listener ends the accept loop; the server then waits for
        // its open connections and the application's service group winds down.
        running.closeListener()
        if running.finished.wait(timeout: .now() + Self.stopGracePeriod) == .timedOut {
            running.task.cancel()
            running.finished.wait()
        }
    }

    private static func describe(_ error: any Error) -> String {
        let text = String(describing: error)
        if text.contains("Address already in use") || text.contains("errno: 98") {
            return "address already in use (\(text))"
        }
        return text
    }
}
