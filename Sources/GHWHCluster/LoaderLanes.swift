import Foundation

/// Runs a loader's two lanes over a `LoaderPipeline`: the caller's thread
/// fetches outbox entries, a thread per lane commits what the pipeline hands
/// it, and whichever lane moves the committed prefix up acknowledges it.
/// `ghwh run`'s loader and `ghwh loader` differ only in how they fetch,
/// commit and acknowledge.
final class LoaderLanes: @unchecked Sendable {
    /// One fetch's answer: the outbox's epoch and its entries (possibly none).
    struct Fetched: Sendable {
        var epoch: String
        var entries: [LoaderEntry]
    }

    /// Commits one transaction's entries on a lane; false when it gave up
    /// because the loader is stopping (the entries stay unacknowledged).
    typealias Commit = @Sendable (Loader.Lane, [LoaderEntry]) -> Bool
    /// Acknowledges every entry up to `upTo` of the outbox of `epoch`.
    typealias Acknowledge = @Sendable (_ upTo: UInt64, _ epoch: String) -> Void

    /// Fetched entries waiting for a lane, at most about this many bytes: the
    /// loader fetches ahead only so far.
    static let maxPendingBytes = 16 << 20

    private let commit: Commit
    private let acknowledge: Acknowledge
    private let condition = NSCondition()
    private var pipeline = LoaderPipeline()
    private var epoch: String?
    private var stopping = false
    private let ackLock = NSLock()
    private var acknowledged: (UInt64, String)?

    init(commit: @escaping Commit, acknowledge: @escaping Acknowledge) {
        self.commit = commit
        self.acknowledge = acknowledge
    }

    /// Fetches until `isStopped`, then lets each lane finish its transaction
    /// (acknowledged) and returns. `fetch(after, epoch)` answers the entries
    /// after `after` of the outbox of `epoch` (from its head for another
    /// epoch or none), waiting a while when there are none.
    func run(fetch: (_ after: UInt64?, _ epoch: String?) -> Fetched?, isStopped: () -> Bool) {
        let lanes = [Loader.Lane.main, .second].map { lane in
            // A thread of its own: libpq blocks it (never Swift's cooperative pool).
            let thread = LaneThread(name: lane == .main ? "ghwh-loader-main" : "ghwh-loader-second") { [self] in
                runLane(lane)
            }
            thread.start()
            return thread
        }
        while !isStopped() {
            let (after, epoch) = condition.withLock { () -> (UInt64?, String?) in
                // Fetch ahead only while the lanes have little waiting.
                while pipeline.pendingBytes >= Self.maxPendingBytes && !stopping {
                    _ = condition.wait(until: Date().addingTimeInterval(0.5))
                    if isStopped() { break }
                }
                return (pipeline.lastFetched, self.epoch)
            }
            guard let fetched = fetch(after, epoch), !fetched.entries.isEmpty else { continue }
            condition.withLock {
                if fetched.epoch != self.epoch {
                    // Another coordinator process: its sequence numbers start again. What
                    // the old one sent and was not acknowledged it no longer holds.
                    pipeline.dropPending()
                    while !pipeline.isIdle && !isStopped() { _ = condition.wait(until: Date().addingTimeInterval(0.5)) }
                    pipeline = LoaderPipeline()
                    self.epoch = fetched.epoch
                }
                pipeline.add(fetched.entries)
                condition.broadcast()
            }
        }
        condition.withLock {
            stopping = true
            condition.broadcast()
        }
        for lane in lanes { lane.join() }
    }

    private func runLane(_ lane: Loader.Lane) {
        while true {
            let work = condition.withLock { () -> [LoaderEntry]? in
                while !stopping {
                    if let work = pipeline.take(for: lane) { return work }
                    condition.wait()
                }
                return nil
            }
            guard let work else { return }
            guard commit(lane, work) else { return }
            condition.withLock {
                pipeline.finished(lane)
                condition.broadcast()
            }
            acknowledgeCommitted()
        }
    }

    /// Acknowledges the committed prefix if it moved. One acknowledgement at a
    /// time, each sent after the commits it covers and carrying every count
    /// taken so far: one covering an entry never overtakes one with that
    /// entry's counts (the job's end reads its summary when its last task shows committed).
    private func acknowledgeCommitted() {
        ackLock.withLock {
            let committed = condition.withLock { () -> (UInt64, String)? in
                guard let through = pipeline.committedThrough, let epoch else { return nil }
                return (through, epoch)
            }
            guard let (through, epoch) = committed, acknowledged.map({ $0 != (through, epoch) }) ?? true else {
                return
            }
            acknowledge(through, epoch)
            acknowledged = (through, epoch)
        }
    }
}

/// A thread that can be waited for.
private final class LaneThread: @unchecked Sendable {
    private let thread: Thread
    private let done = DispatchSemaphore(value: 0)

    init(name: String, _ body: @escaping @Sendable () -> Void) {
        let done = self.done
        thread = Thread {
            body()
            done.signal()
        }
        thread.name = name
    }

    func start() { thread.start() }
    func join() { done.wait() }
}
