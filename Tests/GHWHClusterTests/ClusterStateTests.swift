import Foundation
import GHWHTestSupport
import GHWHWarehouse
import GHWHWebUI
import Testing

@testable import GHWHCluster

/// The task lifecycle state machine, event by event, with time as a number:
/// no sockets, no threads, no sleeps.
@Suite struct ClusterStateTests {
    static func settings(timeout: Double = 60, attempts: Int = 4, readAhead: Int = 100) -> ClusterState.Settings {
        var s = ClusterState.Settings()
        s.workerTimeout = timeout
        s.maxAttempts = attempts
        s.readAhead = readAhead
        return s
    }

    static func task(_ n: Int) -> WorkerTask {
        .gold(
            GoldTask(taskId: "t\(n)", jobId: "job", bucket: n, repos: ["o/r\(n)"], targets: [.labelsMetrics], marks: [])
        )
    }

    static func result(_ task: WorkerTask, by worker: String = "w") -> WorkerResult {
        guard case .gold(let t) = task else { fatalError("gold tasks only here") }
        return .gold(GoldResult(task: t, copies: GoldCopies(), worker: worker))
    }

    /// A state with a job of `tasks` tasks.
    static func state(tasks: Int, settings: ClusterState.Settings = settings()) -> ClusterState {
        var s = ClusterState(settings: settings, epoch: "E1")
        s.startJob("job")
        for n in 0..<tasks { _ = s.enqueue(task(n), now: 0) }
        return s
    }

    /// Leases the next task to (worker, incarnation); returns (task id, attempt).
    static func lease(_ s: inout ClusterState, _ worker: String, _ inc: String, poll: UInt64, now: Double) -> (
        String, Int
    )? {
        for action in s.requestTask(poll: poll, worker: worker, incarnation: inc, deadline: now + 1, now: now) {
            if case .assign(let p, let task, let attempt) = action, p == poll { return (task.taskId, attempt) }
        }
        return nil
    }

    /// A task group's result is one outbox entry per member; the group commits when the
    /// loader has acknowledged its last one, and counts its members' records.
    /// The loader's fetch answered at once; its entries.
    static func fetchEntries(_ s: inout ClusterState, poll: UInt64, now: Double) throws -> [LoaderEntry] {
        let fetched = s.loaderFetch(poll: poll, maxBytes: 1 << 20, deadline: now + 1, now: now)
        guard case .loaderWork(poll, let entries) = fetched.first else {
            throw TestFailure("no loader work: \(fetched)")
        }
        return entries
    }

    @Test func aTaskGroupCommitsWithItsLastMember() throws {
        var s = ClusterState(settings: Self.settings(), epoch: "E1")
        s.startJob("job")
        let members = (1...3).map { n in
            GroupCommitTests.task(
                n,
                json:
                    #"{"number": \#(n), "title": "t", "repository_url": "https://api.github.com/repos/o/r", "created_at": "2024-01-01T00:00:00Z"}"#
            )
        }
        let group = SilverTaskGroup(members: members)
        _ = s.enqueue(.silverGroup(group), now: 0)
        _ = s.register(worker: "w1", incarnation: "a", host: "h", cores: 1, now: 0)
        let (id, attempt) = try #require(Self.lease(&s, "w1", "a", poll: 1, now: 1))
        #expect(id == group.taskId && s.job?.planned == 1)
        let result = SilverTaskRunner(name: "w1").result(of: group)
        #expect(s.result(result, worker: "w1", incarnation: "a", attempt: attempt, now: 2).accepted)
        let entries = try Self.fetchEntries(&s, poll: 2, now: 2)
        #expect(entries.count == 3)
        #expect(s.loaderAck(epoch: "E1", upTo: entries[1].seq, now: 3).accepted)
        #expect(s.tasks[id]?.state == .loading && s.job?.committed == 0, "two of three members committed")
        #expect(s.loaderAck(epoch: "E1", upTo: entries[2].seq, now: 4).accepted)
        #expect(s.tasks[id]?.state == .committed && s.job?.committed == 1 && s.job?.recordsCommitted == 3)
        #expect(s.outbox.isEmpty && s.invariantViolation() == nil)
    }

    /// The planner's read-ahead is the configured minimum, or one task per two
    /// cores of the live workers when that is more.
    @Test func readAheadGrowsWithTheLiveWorkersCores() throws {
        var s = ClusterState(settings: Self.settings(readAhead: 2), epoch: "E1")
        s.startJob("job")
        #expect(s.readAhead == 2)
        _ = s.register(worker: "small", incarnation: "a", host: "h", cores: 1, now: 0)
        #expect(s.readAhead == 2)
        _ = s.register(worker: "big", incarnation: "b", host: "h", cores: 8, now: 0)
        #expect(s.readAhead == 4)
        for n in 0..<4 {
            #expect(s.hasRoomForTask)
            _ = s.enqueue(Self.task(n), now: 0)
        }
        #expect(!s.hasRoomForTask)
        // The big worker is lost: its cores no longer count.
        _ = s.deregister(worker: "big", incarnation: "b", now: 1)
        #expect(s.readAhead == 2)
    }

    @Test func aTaskGoesFromPendingToCommitted() throws {
        var s = Self.state(tasks: 1)
        _ = s.register(worker: "w1", incarnation: "a", host: "h", cores: 1, now: 0)
        let (id, attempt) = try #require(Self.lease(&s, "w1", "a", poll: 1, now: 1))
        #expect(id == "t0" && attempt == 1 && s.tasks["t0"]?.state == .running)
        let r = s.result(Self.result(Self.task(0)), worker: "w1", incarnation: "a", attempt: 1, now: 2)
        #expect(r.accepted && s.tasks["t0"]?.state == .loading)
        #expect(!s.isJobDrained)
        let entries = try Self.fetchEntries(&s, poll: 2, now: 2)
        #expect(entries.count == 1)
        #expect(s.loaderAck(epoch: "E1", upTo: entries[0].seq, now: 3).accepted)
        #expect(s.tasks["t0"]?.state == .committed && s.job?.committed == 1 && s.isJobDrained)
        #expect(s.invariantViolation() == nil)
    }

    @Test func aWorkerRestartedUnderTheSameIdGetsItsOldTasksBackAtOnce() throws {
        var s = Self.state(tasks: 2)
        _ = s.register(worker: "w1", incarnation: "old", host: "h", cores: 2, now: 0)
        _ = try #require(Self.lease(&s, "w1", "old", poll: 1, now: 1))
        _ = try #require(Self.lease(&s, "w1", "old", poll: 2, now: 1))
        // The process dies; a new one registers under the same id right away (no timeout passes).
        _ = s.register(worker: "w1", incarnation: "new", host: "h", cores: 2, now: 2)
        #expect(s.tasks.values.allSatisfy { $0.state == .pending && $0.failures == 1 })
        let (id, attempt) = try #require(Self.lease(&s, "w1", "new", poll: 3, now: 3))
        #expect(attempt == 2)
        // The old process's late result (it was mid-send when it died) is discarded.
        let late = s.result(
            Self.result(Self.task(Int(id.dropFirst())!)), worker: "w1", incarnation: "old", attempt: 1, now: 4)
        #expect(!late.accepted)
        #expect(
            s.result(Self.result(Self.task(Int(id.dropFirst())!)), worker: "w1", incarnation: "new", attempt: 2, now: 4)
                .accepted)
        #expect(s.invariantViolation() == nil)
        // Polls and heartbeats of the old incarnation are told to register again.
        #expect(s.heartbeat(worker: "w1", incarnation: "old", running: [], now: 5).0.known == false)
        guard
            case .noTask(_, true) = s.requestTask(poll: 9, worker: "w1", incarnation: "old", deadline: 6, now: 5).first
        else {
            Issue.record("the old incarnation should be unknown")
            return
        }
    }

    @Test func aResultWakesTheLoadersWaitingPoll() throws {
        var s = Self.state(tasks: 1)
        _ = s.register(worker: "w1", incarnation: "a", host: "h", cores: 1, now: 0)
        #expect(
            s.loaderFetch(poll: 7, maxBytes: 1 << 20, deadline: 10, now: 0).isEmpty,
            "nothing to load yet: the poll waits")
        _ = try #require(Self.lease(&s, "w1", "a", poll: 1, now: 1))
        let r = s.result(Self.result(Self.task(0)), worker: "w1", incarnation: "a", attempt: 1, now: 2)
        let woken = r.actions.contains {
            if case .loaderWork(7, let entries) = $0 { entries.count == 1 } else { false }
        }
        #expect(woken, "\(r.actions)")
    }

    @Test func aHeartbeatReconcilesLeases() throws {
        var s = Self.state(tasks: 2)
        _ = s.register(worker: "w1", incarnation: "a", host: "h", cores: 2, now: 0)
        let (t1, _) = try #require(Self.lease(&s, "w1", "a", poll: 1, now: 1))
        let (t2, _) = try #require(Self.lease(&s, "w1", "a", poll: 2, now: 1))
        // One heartbeat without t2 may be a lease reply still in flight: kept.
        var (outcome, _) = s.heartbeat(worker: "w1", incarnation: "a", running: [t1], now: 2)
        #expect(outcome.known && outcome.stop.isEmpty && s.tasks[t2]?.state == .running)
        // Missing twice in a row: the worker no longer runs it; re-queued (a failed attempt).
        (outcome, _) = s.heartbeat(worker: "w1", incarnation: "a", running: [t1], now: 7)
        #expect(s.tasks[t2]?.state == .pending && s.tasks[t2]?.failures == 1)
        // Listed again, but no longer its lease: told to stop.
        (outcome, _) = s.heartbeat(worker: "w1", incarnation: "a", running: [t1, t2], now: 12)
        #expect(outcome.stop == [t2])
        #expect(s.tasks[t1]?.state == .running)
        #expect(s.invariantViolation() == nil)
    }

    /// `ghwh run`'s worker threads never heartbeat: the timeout must not
    /// lose them (it did after 60 s, and the job never ended), while a silent
    /// worker process is still lost.
    @Test func anInProcessWorkerNeverExpires() throws {
        var s = Self.state(tasks: 2, settings: Self.settings(timeout: 5))
        _ = s.register(worker: "thread", incarnation: "a", host: "local", cores: 1, expires: false, now: 0)
        _ = s.register(worker: "process", incarnation: "b", host: "h", cores: 1, now: 0)
        _ = try #require(Self.lease(&s, "thread", "a", poll: 1, now: 1))
        _ = s.tick(now: 1000)
        #expect(s.workers["thread"]?.alive == true && s.workers["process"]?.alive == false)
        #expect(s.tasks["t0"]?.state == .running && s.tasks["t0"]?.failures == 0)
        _ = try #require(Self.lease(&s, "thread", "a", poll: 2, now: 1001))
        #expect(s.invariantViolation() == nil)
    }

    @Test func staleFailuresAndResultsAreDiscarded() throws {
        var s = Self.state(tasks: 1, settings: Self.settings(attempts: 2))
        _ = s.register(worker: "flappy", incarnation: "a", host: "h", cores: 1, now: 0)
        _ = s.register(worker: "healthy", incarnation: "b", host: "h", cores: 1, now: 0)
        _ = try #require(Self.lease(&s, "flappy", "a", poll: 1, now: 1))
        _ = s.connectionClosed(worker: "flappy", now: 2)  // lost: failure 1 of 2
        let (_, attempt) = try #require(Self.lease(&s, "healthy", "b", poll: 2, now: 3))
        #expect(attempt == 2)
        // The flapping worker reports failures of its old attempt, again and again: none counts.
        for _ in 0..<5 {
            _ = s.failure(task: "t0", worker: "flappy", incarnation: "a", attempt: 1, error: "boom", now: 4)
        }
        #expect(s.job?.error == nil && s.tasks["t0"]?.failures == 1 && s.tasks["t0"]?.state == .running)
        // A failure naming the right worker but a stale attempt does not count either.
        _ = s.failure(task: "t0", worker: "healthy", incarnation: "b", attempt: 1, error: "stale", now: 4)
        #expect(s.tasks["t0"]?.failures == 1)
        #expect(s.result(Self.result(Self.task(0)), worker: "healthy", incarnation: "b", attempt: 2, now: 5).accepted)
        #expect(s.invariantViolation() == nil)
    }

    @Test func failuresOfTheCurrentAttemptFailTheJobAtTheLimit() throws {
        var s = Self.state(tasks: 1, settings: Self.settings(attempts: 3))
        _ = s.register(worker: "w", incarnation: "a", host: "h", cores: 1, now: 0)
        for n in 1...3 {
            let (_, attempt) = try #require(Self.lease(&s, "w", "a", poll: UInt64(n), now: Double(n)))
            #expect(attempt == n)
            _ = s.failure(task: "t0", worker: "w", incarnation: "a", attempt: attempt, error: "poison", now: Double(n))
            #expect(s.invariantViolation() == nil)
        }
        let error = try #require(s.job?.error)
        #expect(error.contains("t0") && error.contains("failed 3 times") && error.contains("poison"))
        #expect(s.tasks["t0"]?.state == .cancelled && s.isJobDrained)
        #expect(Self.lease(&s, "w", "a", poll: 9, now: 9) == nil)
    }

    @Test func aClosedConnectionLosesTheWorkerAtOnceAndSilenceAfterTheTimeout() throws {
        var s = Self.state(tasks: 2, settings: Self.settings(timeout: 60))
        _ = s.register(worker: "crash", incarnation: "a", host: "h", cores: 1, now: 0)
        _ = s.register(worker: "silent", incarnation: "b", host: "h", cores: 1, now: 0)
        let (t1, _) = try #require(Self.lease(&s, "crash", "a", poll: 1, now: 1))
        let (t2, _) = try #require(Self.lease(&s, "silent", "b", poll: 2, now: 1))
        _ = s.connectionClosed(worker: "crash", now: 2)
        #expect(s.tasks[t1]?.state == .pending && s.workers["crash"]?.alive == false)
        _ = s.tick(now: 60)  // 60 s since the last heartbeat: not yet past the timeout
        #expect(s.tasks[t2]?.state == .running)
        _ = s.tick(now: 61.5)
        #expect(s.tasks[t2]?.state == .pending && s.workers["silent"]?.alive == false)
        // The partition heals: the silent worker's heartbeat is unknown, it registers again (same incarnation).
        #expect(s.heartbeat(worker: "silent", incarnation: "b", running: [t2], now: 70).0.known == false)
        _ = s.register(worker: "silent", incarnation: "b", host: "h", cores: 1, now: 70)
        #expect(s.workers["silent"]?.alive == true)
        #expect(s.heartbeat(worker: "silent", incarnation: "b", running: [t2], now: 71).0.stop == [t2])
        #expect(s.invariantViolation() == nil)
    }

    @Test func aGracefulReleaseDoesNotCountAsAFailure() throws {
        var s = Self.state(tasks: 1, settings: Self.settings(attempts: 1))
        _ = s.register(worker: "w", incarnation: "a", host: "h", cores: 1, now: 0)
        _ = try #require(Self.lease(&s, "w", "a", poll: 1, now: 1))
        _ = s.release(worker: "w", incarnation: "a", tasks: ["t0"], now: 2)
        _ = s.deregister(worker: "w", incarnation: "a", now: 2)
        #expect(s.tasks["t0"]?.state == .pending && s.tasks["t0"]?.failures == 0 && s.job?.error == nil)
        #expect(s.workers["w"]?.alive == false)
        #expect(s.invariantViolation() == nil)
    }

    @Test func aLongPollIsAnsweredByTheNextTaskOrAtItsDeadline() {
        var s = Self.state(tasks: 0)
        _ = s.register(worker: "w", incarnation: "a", host: "h", cores: 2, now: 0)
        #expect(s.requestTask(poll: 1, worker: "w", incarnation: "a", deadline: 1, now: 0).isEmpty)
        #expect(s.requestTask(poll: 2, worker: "w", incarnation: "a", deadline: 1.5, now: 0.2).isEmpty)
        let (_, actions) = s.enqueue(Self.task(0), now: 0.5)
        guard case .assign(1, _, 1) = actions.first else {
            Issue.record("the first poll should get the task: \(actions)")
            return
        }
        #expect(s.tick(now: 1.0).allSatisfy { if case .noTask = $0 { false } else { true } })
        let expired = s.tick(now: 1.6)
        guard case .noTask(2, false) = expired.first else {
            Issue.record("poll 2 should expire empty: \(expired)")
            return
        }
    }

    @Test func aKillCancelsPendingTasksAndHandsOutNothingMore() throws {
        var s = Self.state(tasks: 3)
        _ = s.register(worker: "w", incarnation: "a", host: "h", cores: 1, now: 0)
        _ = try #require(Self.lease(&s, "w", "a", poll: 1, now: 1))
        _ = s.stopJob("killed by request", killed: true)
        #expect(s.job?.killed == true && s.isJobDrained)
        #expect(s.tasks.values.filter { $0.state == .cancelled }.count == 2)
        #expect(Self.lease(&s, "w", "a", poll: 2, now: 2) == nil)
        #expect(!s.enqueue(Self.task(9), now: 2).0)
        #expect(s.invariantViolation() == nil)
    }

    @Test func theOutboxIsOrderedAndOnlyThisEpochAcknowledgesIt() {
        var s = ClusterState(settings: Self.settings(), epoch: "E2")
        for n in 0..<5 {
            _ = s.appendForLoader(.startJob(jobId: "j\(n)", job: "all", from: nil, to: nil, force: false), now: 0)
        }
        guard case .loaderWork(_, let entries) = s.loaderFetch(poll: 1, maxBytes: 1 << 20, deadline: 1, now: 0).first
        else {
            Issue.record("no work")
            return
        }
        #expect(entries.map(\.seq) == [1, 2, 3, 4, 5])
        // An acknowledgement meant for the previous coordinator process removes nothing.
        #expect(!s.loaderAck(epoch: "E1", upTo: 5, now: 1).accepted)
        #expect(s.outbox.count == 5)
        #expect(s.loaderAck(epoch: "E2", upTo: 2, now: 1).accepted)
        #expect(s.outbox.map(\.seq) == [3, 4, 5])
        _ = s.loaderAck(epoch: "E2", upTo: 1, now: 1)  // an old ack again: nothing changes
        #expect(s.outbox.map(\.seq) == [3, 4, 5] && s.ackedSeq == 2)
        guard case .loaderWork(_, let rest) = s.loaderFetch(poll: 2, maxBytes: 1 << 20, deadline: 2, now: 1).first
        else {
            Issue.record("no work")
            return
        }
        #expect(rest.map(\.seq) == [3, 4, 5])
    }

    /// The loader fetches ahead while its lanes commit: a fetch after a sequence
    /// number answers only later entries, waits while there are none, and is
    /// answered when one arrives; a fetch from the head still gets every unacknowledged one.
    @Test func aFetchAfterASequenceNumberGetsOnlyLaterEntries() {
        var s = ClusterState(settings: Self.settings(), epoch: "E3")
        func start(_ n: Int) -> LoaderMessage {
            .startJob(jobId: "j\(n)", job: "all", from: nil, to: nil, force: false)
        }
        for n in 0..<3 { _ = s.appendForLoader(start(n), now: 0) }
        guard
            case .loaderWork(_, let ahead) = s.loaderFetch(poll: 1, maxBytes: 1 << 20, after: 1, deadline: 1, now: 0)
                .first
        else {
            Issue.record("no work")
            return
        }
        #expect(ahead.map(\.seq) == [2, 3])
        #expect(
            s.loaderFetch(poll: 2, maxBytes: 1 << 20, after: 3, deadline: 5, now: 0).isEmpty,
            "nothing after 3: it waits")
        let answered = s.appendForLoader(start(3), now: 1)
        guard case .loaderWork(2, let next) = answered.first else {
            Issue.record("the waiting fetch was not answered: \(answered)")
            return
        }
        #expect(next.map(\.seq) == [4])
        #expect(s.loaderAck(epoch: "E3", upTo: 2, now: 1).accepted)
        guard case .loaderWork(_, let head) = s.loaderFetch(poll: 3, maxBytes: 1 << 20, deadline: 2, now: 1).first
        else {
            Issue.record("no work")
            return
        }
        #expect(head.map(\.seq) == [3, 4])
        // After everything: waits, then answered empty at its deadline.
        #expect(s.loaderFetch(poll: 4, maxBytes: 1 << 20, after: 4, deadline: 2, now: 1).isEmpty)
        #expect(s.tick(now: 2).contains { if case .loaderWork(4, let e) = $0 { e.isEmpty } else { false } })
        #expect(s.invariantViolation() == nil)
    }

    /// Random interleavings of registrations, crashes, same-id restarts,
    /// results (current and stale), failures, releases, ticks and acks; the
    /// invariants hold after every event, and a job that does not fail ends
    /// with every task committed exactly once.
    @Test(arguments: 0..<40) func randomInterleavingsKeepTheInvariants(seed: UInt64) {
        _ = Self.randomRun(seed: seed)
    }

    /// One random run; true when its job reached its end (false: a task hit the attempt limit).
    static func randomRun(seed: UInt64) -> Bool {
        var rng = SeededGenerator(seed: seed)
        let tasks = 12
        var s = Self.state(tasks: tasks, settings: Self.settings(timeout: 10, attempts: 4))
        var now = 0.0
        var nextPoll: UInt64 = 0
        var pollOwner: [UInt64: (worker: String, inc: String)] = [:]
        var incarnations: [String: Int] = [:]
        var holding: [(worker: String, inc: String, task: String, attempt: Int)] = []
        var accepted: [String: Int] = [:]
        func inc(_ w: String) -> String { "\(w)#\(incarnations[w, default: 0])" }
        // Every event may answer a waiting poll: the poll's owner then holds the task.
        func apply(_ actions: [ClusterState.Action]) {
            for case .assign(let poll, let task, let attempt) in actions {
                if let owner = pollOwner.removeValue(forKey: poll) {
                    holding.append((owner.worker, owner.inc, task.taskId, attempt))
                }
            }
        }
        func check(_ event: String) {
            if let v = s.invariantViolation() { Issue.record("seed \(seed), after \(event): \(v)") }
        }
        func ack(partial: Bool) {
            nextPoll += 1
            let actions = s.loaderFetch(poll: nextPoll, maxBytes: 1 << 20, deadline: now, now: now)
            if case .loaderWork(_, let entries) = actions.first, let last = entries.last {
                let upTo = partial && entries.count > 1 ? last.seq - 1 : last.seq
                apply(s.loaderAck(epoch: "E1", upTo: upTo, now: now).actions)
            } else {
                apply(s.cancelPolls())
                pollOwner.removeAll()
            }
        }
        let workers = ["w0", "w1", "w2"]
        for w in workers { apply(s.register(worker: w, incarnation: inc(w), host: "h", cores: 2, now: now)) }
        for step in 0..<400 {
            now += Double(rng.next(upTo: 30)) / 10
            let w = workers[rng.next(upTo: workers.count)]
            switch rng.next(upTo: 10) {
            case 0:  // restart under the same id
                incarnations[w, default: 0] += 1
                apply(s.register(worker: w, incarnation: inc(w), host: "h", cores: 2, now: now))
            case 1: apply(s.connectionClosed(worker: w, now: now))
            case 2, 3:
                nextPoll += 1
                pollOwner[nextPoll] = (w, inc(w))
                apply(s.requestTask(poll: nextPoll, worker: w, incarnation: inc(w), deadline: now + 1, now: now))
            case 4, 5:  // a result from some holder, current or stale
                guard !holding.isEmpty else { break }
                let h = holding.remove(at: rng.next(upTo: holding.count))
                let r = s.result(
                    Self.result(Self.task(Int(h.task.dropFirst())!)), worker: h.worker, incarnation: h.inc,
                    attempt: h.attempt, now: now)
                if r.accepted { accepted[h.task, default: 0] += 1 }
                apply(r.actions)
            case 6:
                guard !holding.isEmpty else { break }
                let h = holding.remove(at: rng.next(upTo: holding.count))
                if rng.next(upTo: 3) == 0 {
                    apply(
                        s.failure(
                            task: h.task, worker: h.worker, incarnation: h.inc, attempt: h.attempt, error: "x", now: now
                        ))
                } else {
                    apply(s.release(worker: h.worker, incarnation: h.inc, tasks: [h.task], now: now))
                }
            case 7:
                let running = holding.filter { $0.worker == w && $0.inc == inc(w) }.map(\.task)
                apply(s.heartbeat(worker: w, incarnation: inc(w), running: running, now: now).1)
            case 8: apply(s.tick(now: now))
            default: ack(partial: rng.next(upTo: 2) == 0)
            }
            check("step \(step)")
            if s.job?.error != nil { break }
        }
        if let error = s.job?.error {
            // Only a task that really failed `maxAttempts` times may fail the job.
            #expect(error.contains("failed 4 times"))
            return false
        }
        // Drive the job to its end with one well-behaved worker.
        for w in workers { apply(s.connectionClosed(worker: w, now: now)) }
        holding.removeAll()
        apply(s.register(worker: "finisher", incarnation: "f", host: "h", cores: 1, now: now))
        var steps = 0
        while !s.isJobDrained && steps < 1000 {
            steps += 1
            nextPoll += 1
            pollOwner[nextPoll] = ("finisher", "f")
            apply(s.requestTask(poll: nextPoll, worker: "finisher", incarnation: "f", deadline: now + 1, now: now))
            while let h = holding.popLast() {
                let r = s.result(
                    Self.result(Self.task(Int(h.task.dropFirst())!)), worker: h.worker, incarnation: h.inc,
                    attempt: h.attempt, now: now)
                if r.accepted { accepted[h.task, default: 0] += 1 }
                apply(r.actions)
            }
            ack(partial: false)
            check("finishing")
        }
        #expect(s.isJobDrained && s.job?.error == nil)
        #expect(s.tasks.values.allSatisfy { $0.state == .committed }, "seed \(seed)")
        #expect(accepted.count == tasks && accepted.values.allSatisfy { $0 == 1 }, "seed \(seed): \(accepted)")
        return true
    }

    /// The random runs are worthless if every job fails early at the attempt limit.
    @Test func mostRandomRunsFinishTheirJob() {
        let finished = (0..<40).filter { Self.randomRun(seed: UInt64($0)) }.count
        #expect(finished >= 20, "only \(finished) of 40 random jobs reached their end")
    }
}

@Suite struct TaskStateMetricsTests {
    /// `/metrics` shows one `ghwh_tasks` series per task state, exactly the state machine's.
    @Test func metricsTaskStatesAreTheStateMachinesStates() {
        #expect(ClusterMetrics.taskStates == ClusterState.TaskState.allCases.map(\.rawValue))
    }
}
