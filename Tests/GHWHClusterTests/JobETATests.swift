import Testing

@testable import GHWHCluster

/// The progress line's ETA (issue 12, defect 4: "ETA 0s" showed while a job
/// was stalled, because planning all input counted as being done).
@Suite struct JobETATests {
    @Test func planningAllInputIsNotBeingDone() {
        // Everything planned, nothing committed: unknown, not 0s.
        #expect(
            JobETA.estimate(
                elapsed: 10, bytesPlanned: 100, bytesTotal: 100, tasksCommitted: 0, tasksPlanned: 10,
                secondsSinceProgress: 1) == .unknown)
        // Half the tasks of all input committed in 10 s: 10 s to go.
        #expect(
            JobETA.estimate(
                elapsed: 10, bytesPlanned: 100, bytesTotal: 100, tasksCommitted: 5, tasksPlanned: 10,
                secondsSinceProgress: 1) == .remaining(seconds: 10))
        // A quarter planned, all of it committed, in 10 s: 30 s to go.
        #expect(
            JobETA.estimate(
                elapsed: 10, bytesPlanned: 25, bytesTotal: 100, tasksCommitted: 4, tasksPlanned: 4,
                secondsSinceProgress: 1) == .remaining(seconds: 30))
        #expect(
            JobETA.estimate(
                elapsed: 3, bytesPlanned: 0, bytesTotal: 0, tasksCommitted: 0, tasksPlanned: 0,
                secondsSinceProgress: 3) == .unknown)
    }

    @Test func noProgressForAWhileIsAStallNotAGuess() {
        let eta = JobETA.estimate(
            elapsed: 100, bytesPlanned: 100, bytesTotal: 100, tasksCommitted: 9, tasksPlanned: 10,
            secondsSinceProgress: 45)
        #expect(eta == .stalled(seconds: 45))
        #expect(eta.text == "ETA ? (no progress for 45s)")
        #expect(JobETA.remaining(seconds: 187).text == "ETA 3:07")
        #expect(JobETA.unknown.text == "ETA ?")
    }

    /// The state machine stamps progress when a task is planned and when one commits.
    @Test func theStateRecordsWhenTheJobLastProgressed() throws {
        var s = ClusterState(settings: ClusterStateTests.settings(), epoch: "E1")
        s.startJob("job")
        #expect(s.job?.lastProgressAt == nil)
        _ = s.enqueue(ClusterStateTests.task(0), now: 5)
        #expect(s.job?.lastProgressAt == 5)
        _ = s.register(worker: "w1", incarnation: "a", host: "h", cores: 1, now: 6)
        _ = try #require(ClusterStateTests.lease(&s, "w1", "a", poll: 1, now: 7))
        _ = s.result(
            ClusterStateTests.result(ClusterStateTests.task(0)), worker: "w1", incarnation: "a", attempt: 1, now: 8)
        #expect(s.job?.lastProgressAt == 5, "a result is not progress until it commits")
        guard case .loaderWork(2, let entries) = s.loaderFetch(poll: 2, maxBytes: 1 << 20, deadline: 10, now: 9).first
        else {
            Issue.record("no loader work")
            return
        }
        _ = s.loaderAck(epoch: "E1", upTo: entries[0].seq, now: 40)
        #expect(s.job?.lastProgressAt == 40)
    }
}

/// `ghwh-submit`'s output (issue 12, defect 4: outside a terminal the final
/// progress line was printed twice).
@Suite struct SubmitProgressPrinterTests {
    static func status(_ state: JobStatus.State) -> JobStatus {
        JobStatus(jobId: "j1", job: "all", state: state, phase: state == .running ? "silver" : "done")
    }

    @Test func theFinalLineIsWrittenOnceOnATerminalOrNot() {
        for terminal in [false, true] {
            var printer = SubmitProgressPrinter(isTerminal: terminal, interval: 5)
            var out = ""
            for (t, state) in [(0.0, JobStatus.State.running), (1, .running), (6, .running), (6.5, .succeeded)] {
                out += printer.update(Self.status(state), now: t) ?? ""
            }
            out += printer.finish(Self.status(.succeeded))
            let lines = out.split(separator: "\n").flatMap { $0.split(separator: "\r") }
            #expect(
                lines.filter { $0.contains("] succeeded") }.count == 1, "terminal \(terminal): \(out.debugDescription)")
            // Off a terminal: a line at 0 s and at 6 s, none at 1 s; on one, every update redraws.
            #expect(lines.filter { $0.contains("] running") }.count == (terminal ? 3 : 2))
            #expect(out.hasSuffix("\n"))
        }
    }
}
