import Foundation
import GHWHWebUI
import Testing

/// A parsed Prometheus text exposition: samples keyed by `name{labels}` as written.
struct Exposition {
    var samples: [String: Double] = [:]
    var help: Set<String> = []
    var types: [String: String] = [:]

    /// Parses `text`, recording every line that is neither a comment nor a valid sample.
    init(_ text: String, invalid: inout [String]) {
        let sample =
            /^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*",?)*\})?) (-?[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?|[-+]Inf|NaN)$/
        for line in text.split(separator: "\n") {
            if line.hasPrefix("# HELP ") {
                help.insert(String(line.split(separator: " ")[2]))
            } else if line.hasPrefix("# TYPE ") {
                let parts = line.split(separator: " ")
                if parts.count == 4 { types[String(parts[2])] = String(parts[3]) } else { invalid.append(String(line)) }
            } else if line.hasPrefix("#") {
                continue
            } else if let match = try? sample.wholeMatch(in: String(line)) {
                samples[String(match.1)] = Double(String(match.2))
            } else {
                invalid.append(String(line))
            }
        }
    }
}

@Suite("Prometheus metrics")
struct MetricsTests {
    static let families: [String: String] = [
        "ghwh_task_duration_seconds": "histogram",
        "ghwh_records_processed_total": "counter",
        "ghwh_bytes_processed_total": "counter",
        "ghwh_rejects_total": "counter",
        "ghwh_loader_commit_seconds": "histogram",
        "ghwh_workers": "gauge",
        "ghwh_tasks": "gauge",
        "ghwh_jobs": "gauge",
    ]

    func exercised() -> ClusterMetrics {
        let metrics = ClusterMetrics()
        metrics.taskFinished(kind: "silver", seconds: 0.3)
        metrics.taskFinished(kind: "silver", seconds: 2.0)
        metrics.taskFinished(kind: "gold", seconds: 0.07)
        metrics.recordsProcessed(1000, bytes: 5_000_000)
        metrics.recordsProcessed(500, bytes: 2_500_000)
        metrics.rejects(3)
        metrics.rejects(4)
        metrics.loaderCommit(seconds: 0.02)
        metrics.update(from: Fixture.snapshot)
        return metrics
    }

    @Test("text is valid exposition format with HELP and TYPE for every family")
    func validFormat() throws {
        var invalid: [String] = []
        let text = exercised().prometheusText()
        let exposition = Exposition(text, invalid: &invalid)
        #expect(invalid.isEmpty, "invalid lines: \(invalid)")
        #expect(text.hasSuffix("\n"))
        for (family, type) in Self.families {
            #expect(exposition.types[family] == type, "TYPE of \(family)")
            #expect(exposition.help.contains(family), "HELP of \(family)")
        }
        // every sample belongs to a declared family
        for key in exposition.samples.keys {
            let name = String(key.prefix { $0 != "{" })
            let family = ["_bucket", "_sum", "_count"].reduce(name) { n, suffix in
                exposition.types[n] == nil && n.hasSuffix(suffix) ? String(n.dropLast(suffix.count)) : n
            }
            #expect(exposition.types[family] != nil, "\(key) has no TYPE")
        }
    }

    @Test("counters and histograms reflect the calls")
    func values() throws {
        var invalid: [String] = []
        let s = Exposition(exercised().prometheusText(), invalid: &invalid).samples
        #expect(s["ghwh_records_processed_total"] == 1500)
        #expect(s["ghwh_bytes_processed_total"] == 7_500_000)
        #expect(s["ghwh_rejects_total"] == 7)
        #expect(s[#"ghwh_task_duration_seconds_count{kind="silver"}"#] == 2)
        #expect(abs((s[#"ghwh_task_duration_seconds_sum{kind="silver"}"#] ?? 0) - 2.3) < 1e-9)
        #expect(s[#"ghwh_task_duration_seconds_bucket{kind="silver",le="0.25"}"#] == 0)
        #expect(s[#"ghwh_task_duration_seconds_bucket{kind="silver",le="0.5"}"#] == 1)
        #expect(s[#"ghwh_task_duration_seconds_bucket{kind="silver",le="2.5"}"#] == 2)
        #expect(s[#"ghwh_task_duration_seconds_bucket{kind="silver",le="+Inf"}"#] == 2)
        #expect(s[#"ghwh_task_duration_seconds_count{kind="gold"}"#] == 1)
        #expect(s[#"ghwh_task_duration_seconds_bucket{kind="gold",le="0.1"}"#] == 1)
        #expect(s["ghwh_loader_commit_seconds_count"] == 1)
        #expect(s[#"ghwh_loader_commit_seconds_bucket{le="0.01"}"#] == 0)
        #expect(s[#"ghwh_loader_commit_seconds_bucket{le="0.025"}"#] == 1)
        #expect(abs((s["ghwh_loader_commit_seconds_sum"] ?? 0) - 0.02) < 1e-9)
    }

    @Test("gauges follow the snapshot: workers, current job's tasks, jobs")
    func gauges() throws {
        let metrics = exercised()
        var invalid: [String] = []
        var s = Exposition(metrics.prometheusText(), invalid: &invalid).samples
        #expect(s[#"ghwh_workers{state="alive"}"#] == 1)
        #expect(s[#"ghwh_workers{state="lost"}"#] == 1)
        for state in ClusterMetrics.taskStates {
            #expect(s[#"ghwh_tasks{state="\#(state)"}"#] == (state == "running" ? 2 : state == "cancelled" ? 0 : 1))
        }
        #expect(s[#"ghwh_jobs{state="running"}"#] == 1)
        #expect(s[#"ghwh_jobs{state="failed"}"#] == 1)
        #expect(s[#"ghwh_jobs{state="succeeded"}"#] == 1)
        #expect(s[#"ghwh_jobs{state="queued"}"#] == 0)
        #expect(s[#"ghwh_jobs{state="killed"}"#] == 0)

        // When the job ends, nothing is current: task gauges drop to zero.
        var later = Fixture.snapshot
        later.jobs[0].state = "succeeded"
        later.workers[1].alive = true
        metrics.update(from: later)
        s = Exposition(metrics.prometheusText(), invalid: &invalid).samples
        #expect(s[#"ghwh_workers{state="alive"}"#] == 2)
        #expect(s[#"ghwh_workers{state="lost"}"#] == 0)
        #expect(s[#"ghwh_tasks{state="running"}"#] == 0)
        #expect(s[#"ghwh_jobs{state="succeeded"}"#] == 2)
        #expect(invalid.isEmpty)
    }

    @Test("a running job without a task list is counted from its counters")
    func countersWithoutTasks() throws {
        var snapshot = Fixture.snapshot
        snapshot.jobs[0].tasks = []
        let metrics = ClusterMetrics()
        metrics.update(from: snapshot)
        var invalid: [String] = []
        let s = Exposition(metrics.prometheusText(), invalid: &invalid).samples
        #expect(s[#"ghwh_tasks{state="committed"}"#] == 2)
        #expect(s[#"ghwh_tasks{state="running"}"#] == 2)
        #expect(s[#"ghwh_tasks{state="pending"}"#] == 1)
        #expect(s[#"ghwh_tasks{state="loading"}"#] == 0)
        #expect(s[#"ghwh_tasks{state="cancelled"}"#] == 0)
    }

    @Test("instances own separate registries")
    func isolation() throws {
        let a = exercised()
        let b = ClusterMetrics()
        var invalid: [String] = []
        let sb = Exposition(b.prometheusText(), invalid: &invalid).samples
        #expect(sb["ghwh_records_processed_total"] == 0)
        #expect(sb[#"ghwh_task_duration_seconds_count{kind="silver"}"#] == 0)
        let sa = Exposition(a.prometheusText(), invalid: &invalid).samples
        #expect(sa["ghwh_records_processed_total"] == 1500)
    }

    @Test("/metrics serves the text format and refreshes gauges from the snapshot")
    func route() async throws {
        let metrics = ClusterMetrics()
        metrics.recordsProcessed(42, bytes: 4200)
        let response = try await fetch("/metrics", metrics: metrics)
        #expect(response.status == .ok)
        #expect(response.contentType?.hasPrefix("text/plain; version=0.0.4") == true)
        var invalid: [String] = []
        let exposition = Exposition(response.body, invalid: &invalid)
        #expect(invalid.isEmpty)
        #expect(exposition.samples["ghwh_records_processed_total"] == 42)
        #expect(exposition.samples[#"ghwh_workers{state="lost"}"#] == 1)
        #expect(exposition.samples[#"ghwh_tasks{state="running"}"#] == 2)
    }
}
