import Foundation
import GHWHWire

/// `ghwh-submit` against a coordinator: submit, watch, status, kill.
public final class SubmitClient: @unchecked Sendable {
    let client: RequestClient

    public init(endpoint: ClusterEndpoint) throws {
        client = try endpoint.client(senderId: "submit-\(ProcessInfo.processInfo.processIdentifier)", callTimeout: 10)
    }

    public func submit(_ m: SubmitJob) throws -> String {
        try client.call(m).decode(JobAccepted.self).jobId
    }

    public func status(_ jobId: String, waitSeconds: Double? = nil) throws -> JobStatus {
        try client.call(
            GetJobStatus(jobId: jobId, waitSeconds: waitSeconds),
            timeout: 10 + (waitSeconds ?? 0)
        ).decode(JobStatus.self)
    }

    public func kill(_ jobId: String) throws -> Ack {
        try client.call(KillJob(jobId: jobId)).decode(Ack.self)
    }

    /// Long-polls until the job ends, handing each status to `progress`
    /// (about every `interval` seconds); returns as soon as the job ends.
    /// While the coordinator is unreachable (restarting: it resumes its
    /// journaled jobs) it keeps asking for up to `reconnectFor` seconds.
    public func wait(
        _ jobId: String, interval: Double = 1, reconnectFor: Double = 300,
        onUnreachable: (String) -> Void = { _ in }, progress: (JobStatus) -> Void
    ) throws -> JobStatus {
        var lastReached = Date()
        // The one schedule capped at 1 s: a person watches the progress line, and a restarted
        // coordinator should show within a second. The give-up is wall-clock (`reconnectFor` since
        // the coordinator last answered, the calls' own timeouts included), so it stays here.
        var backoff = Backoff(cap: 1)
        while true {
            let s: JobStatus
            do {
                s = try status(jobId, waitSeconds: interval)
                lastReached = Date()
                backoff.reset()
            } catch {
                guard Date().timeIntervalSince(lastReached) < reconnectFor else { throw error }
                onUnreachable("\(error)")
                Thread.sleep(forTimeInterval: backoff.nextDelay() ?? backoff.cap)
                continue
            }
            progress(s)
            switch s.state {
            case .succeeded, .failed, .killed, .unknown: return s
            default: continue
            }
        }
    }

    /// Waits until at least `count` workers are alive; false after `timeout` seconds.
    public func awaitWorkers(_ count: Int, timeout: Double) throws -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if try status("").workersAlive >= count { return true }
            if Date() >= deadline { return false }
            Thread.sleep(forTimeInterval: 0.05)  // polling a condition, bounded by the deadline
        }
    }

    public func close() { client.close() }

    /// The live progress line.
    public static func line(_ s: JobStatus) -> String {
        let mb = Double(s.uncompressedBytes) / 1_000_000
        let rate = s.elapsedSeconds > 0 ? mb / s.elapsedSeconds : 0
        var parts = [
            "[\(s.job) \(s.jobId)] \(s.state.rawValue) \(s.phase)",
            "files \(s.filesDone)/\(s.filesTotal)",
            "tasks \(s.tasksDone)/\(s.tasksPlanned) (\(s.tasksRunning) running)",
            "records \(s.records)", String(format: "%.1f MB/s", rate), "workers \(s.workersAlive)",
        ]
        if s.state == .running {
            let eta =
                s.stalledSeconds.map { JobETA.stalled(seconds: $0) } ?? s.etaSeconds.map {
                    JobETA.remaining(seconds: $0)
                } ?? .unknown
            parts.append(eta.text)
        }
        if let e = s.loaderError { parts.append("LOADER WAITING: \(e)") }
        return parts.joined(separator: " | ")
    }
}

/// What `ghwh-submit` writes while it follows a job: on a terminal, one line
/// redrawn in place; otherwise a line every `interval` seconds. The job's final
/// line is written once, by `finish`. A plain value: time is an argument.
public struct SubmitProgressPrinter: Sendable {
    public let isTerminal: Bool
    public let interval: Double
    private var lastPrinted = -Double.infinity

    public init(isTerminal: Bool, interval: Double = 5) {
        self.isTerminal = isTerminal
        self.interval = interval
    }

    /// The text to write for a status seen at `now`, if any.
    public mutating func update(_ s: JobStatus, now: Double) -> String? {
        switch s.state {
        case .succeeded, .failed, .killed, .unknown: return nil  // `finish` writes it
        default: break
        }
        guard isTerminal || now - lastPrinted >= interval else { return nil }
        lastPrinted = now
        return isTerminal ? "\r\u{1B}[K" + SubmitClient.line(s) : SubmitClient.line(s) + "\n"
    }

    /// The job's final line (replacing the live one on a terminal).
    public func finish(_ s: JobStatus) -> String {
        (isTerminal ? "\r\u{1B}[K" : "") + SubmitClient.line(s) + "\n"
    }
}
