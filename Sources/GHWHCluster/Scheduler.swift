import Foundation
import Logging

/// The edge around `ClusterState`: one lock, the clock, and the actions'
/// side effects (answering polls, log lines, metrics), performed after the
/// lock is released. Every decision is made inside `ClusterState`.
final class Scheduler: @unchecked Sendable {
    typealias PollAnswer = @Sendable (ClusterState.Action) -> Void

    private let lock = NSCondition()
    private var state: ClusterState
    private var nextPoll: ClusterState.PollID = 1
    private var pollAnswers: [ClusterState.PollID: PollAnswer] = [:]
    private let clock: @Sendable () -> Double
    let logger: Logger

    /// Observers for metrics (set once, before the coordinator serves).
    var onTaskFinished: (@Sendable (_ kind: String, _ seconds: Double, _ totals: SilverTotals) -> Void)?
    var onLoaderCommit: (@Sendable (_ seconds: Double) -> Void)?

    init(
        settings: ClusterState.Settings, epoch: String, logger: Logger,
        clock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }
    ) {
        state = ClusterState(settings: settings, epoch: epoch)
        self.logger = logger
        self.clock = clock
    }

    var settings: ClusterState.Settings { state.settings }

    /// The scheduler's clock (the time its state's instants are in).
    func now() -> Double { clock() }

    /// Runs one event under the lock, then performs its actions outside it.
    @discardableResult
    func perform<T>(_ event: (inout ClusterState, Double) -> (T, [ClusterState.Action])) -> T {
        lock.lock()
        let (value, actions) = event(&state, clock())
        var answers: [(PollAnswer, ClusterState.Action)] = []
        for action in actions {
            switch action {
            case .assign(let poll, _, _), .noTask(let poll, _), .loaderWork(let poll, _):
                if let answer = pollAnswers.removeValue(forKey: poll) { answers.append((answer, action)) }
            case .log, .taskFinished: break
            }
        }
        lock.broadcast()
        lock.unlock()
        for (answer, action) in answers { answer(action) }
        for action in actions { perform(action) }
        return value
    }

    func perform(_ event: (inout ClusterState, Double) -> [ClusterState.Action]) {
        perform { state, now in ((), event(&state, now)) }
    }

    /// A read of the state under the lock.
    func read<T>(_ body: (ClusterState) -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body(state)
    }

    private func perform(_ action: ClusterState.Action) {
        switch action {
        case .log(let event):
            let metadata = event.fields.mapValues { Logger.MetadataValue.string($0) }
            switch event.level {
            case .debug: logger.debug("\(event.message)", metadata: metadata)
            case .info: logger.info("\(event.message)", metadata: metadata)
            case .notice: logger.notice("\(event.message)", metadata: metadata)
            case .warning: logger.warning("\(event.message)", metadata: metadata)
            case .error: logger.error("\(event.message)", metadata: metadata)
            }
        case .taskFinished(let kind, let seconds, let totals):
            onTaskFinished?(kind, seconds, totals)
        case .assign, .noTask, .loaderWork:
            break
        }
    }

    /// Registers a poll's answer; `start` issues the poll event with its id.
    func poll(
        answer: @escaping PollAnswer,
        _ start: (inout ClusterState, ClusterState.PollID, Double) -> [ClusterState.Action]
    ) {
        lock.lock()
        let id = nextPoll
        nextPoll += 1
        pollAnswers[id] = answer
        lock.unlock()
        perform { state, now in start(&state, id, now) }
    }

    /// A poll answered on this thread (blocks until the state answers it, at
    /// the latest when `tick` passes its deadline).
    func pollAndWait(_ start: (inout ClusterState, ClusterState.PollID, Double) -> [ClusterState.Action])
        -> ClusterState.Action
    {
        let box = AnswerBox()
        poll(answer: { box.set($0) }, start)
        return box.wait()
    }

    // MARK: Job driver support (blocking waits on the state)

    /// Adds a planned task; blocks while the read-ahead is full. False if the job stopped.
    func enqueue(_ task: WorkerTask) -> Bool {
        waitForRoom()
        return perform { state, now in state.enqueue(task, now: now) }
    }

    /// Blocks while the read-ahead is full (or returns at once when the job stopped).
    func waitForRoom() {
        lock.lock()
        while !state.hasRoomForTask { lock.wait() }
        lock.unlock()
    }

    /// Waits until every planned task committed and its result left the outbox, or the job stopped.
    func waitUntilDrained() {
        lock.lock()
        defer { lock.unlock() }
        while !state.isJobDrained { lock.wait() }
    }

    /// Waits until the outbox is empty (so a job's final record lands).
    func waitUntilOutboxEmpty(timeout: Double) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        let deadline = Date().addingTimeInterval(timeout)
        while !state.outbox.isEmpty && lock.wait(until: deadline) {}
        return state.outbox.isEmpty
    }

    var jobError: String? { read { $0.job?.error } }

    /// Lets time pass for the state every `period` seconds (lost workers,
    /// expired long polls) on a thread of its own, until `stop` is set.
    func startTicking(period: Double = 0.1, until stop: StopFlag) {
        LocalCluster.startThread(name: "ghwh-tick") { [self] in
            // the tick period bounds how late a long poll's empty answer comes
            while !stop.wait(upTo: period) { perform { state, now in state.tick(now: now) } }
        }
    }
}

/// A one-shot hand-off of a poll's answer to the thread waiting for it.
private final class AnswerBox: @unchecked Sendable {
    private let condition = NSCondition()
    private var value: ClusterState.Action?

    func set(_ action: ClusterState.Action) {
        condition.lock()
        value = action
        condition.broadcast()
        condition.unlock()
    }

    func wait() -> ClusterState.Action {
        condition.lock()
        defer { condition.unlock() }
        while value == nil { condition.wait() }
        return value!
    }
}
