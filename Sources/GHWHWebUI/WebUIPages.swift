import Foundation
import GHWHHTML

/// Server-rendered HTML for the coordinator UI. Pure functions of a snapshot,
/// so they can be rendered outside the server (tests, static dumps).
public enum WebUIPages {
    /// `GET /`: summary cards, the workers table and the jobs table.
    public static func overview(_ s: ClusterSnapshot) -> String {
        var body = "<h1>Cluster overview</h1>\n"
        body += loaderAlert(s)
        body += summaryCards(s)
        body += "<h2>Workers <small>(\(s.workers.count))</small></h2>\n" + workersTable(s)
        body += "<h2>Jobs <small>(\(s.jobs.count), newest first)</small></h2>\n" + jobsTable(s)
        return PageLayout.page(title: "Overview", snapshot: s, active: "Overview", body: body)
    }

    /// `GET /workers`: the workers table alone.
    public static func workers(_ s: ClusterSnapshot) -> String {
        let body = "<h1>Workers</h1>\n" + loaderAlert(s) + workersTable(s)
        return PageLayout.page(title: "Workers", snapshot: s, active: "Workers", body: body)
    }

    /// `GET /jobs/{id}`: one job's facts, failures and tasks.
    public static func job(_ job: ClusterSnapshot.Job, in s: ClusterSnapshot) -> String {
        let body = JobPage.body(job, now: s.generatedAt)
        return PageLayout.page(title: "Job \(job.id)", snapshot: s, active: "", body: body)
    }

    /// The page for an unknown job id (served with status 404).
    public static func jobNotFound(id: String, in s: ClusterSnapshot) -> String {
        let body = """
            <h1>Job not found</h1>
            <div class="alert"><b>404</b>No job with id <span class="mono">\(HTMLEscape.text(id))</span> \
            in this coordinator's history. <a href="/">Back to the overview</a>.</div>
            """
        return PageLayout.page(title: "Not found", snapshot: s, active: "", body: body)
    }

    static func loaderAlert(_ s: ClusterSnapshot) -> String {
        guard let error = s.loaderError else { return "" }
        return "<div class=\"alert\"><b>Loader error</b>\(HTMLEscape.text(error))</div>\n"
    }

    static func summaryCards(_ s: ClusterSnapshot) -> String {
        let alive = s.workers.filter(\.alive)
        let running = s.jobs.filter { $0.state == "running" }
        let cards: [(String, String)] = [
            ("Workers alive", "\(alive.count) / \(s.workers.count)"),
            ("Cores alive", "\(alive.reduce(0) { $0 + $1.cores })"),
            ("Running jobs", "\(running.count)"),
            ("Tasks running", "\(running.reduce(0) { $0 + $1.tasksRunning })"),
            ("Uptime", Fmt.duration(s.generatedAt.timeIntervalSince(s.startedAt))),
        ]
        let html = cards.map { k, v in
            "<div class=\"card\"><div class=\"k\">\(HTMLEscape.text(k))</div><div class=\"v\">\(HTMLEscape.text(v))</div></div>"
        }.joined()
        return "<div class=\"cards\">\(html)</div>\n"
    }

    static func workersTable(_ s: ClusterSnapshot) -> String {
        let rows = s.workers.map { w in
            let current =
                w.currentTasks.isEmpty
                ? "<span class=\"muted\">idle</span>"
                : w.currentTasks.map { "<span class=\"mono\">\(HTMLEscape.text($0))</span>" }.joined(separator: ", ")
            return "<tr><td class=\"mono id\">\(HTMLEscape.text(w.id))</td><td>\(HTMLEscape.text(w.host))</td>"
                + "<td class=\"num\">\(w.cores)</td><td>\(PageLayout.badge(w.alive ? "alive" : "lost"))</td>"
                + "<td class=\"nowrap\" title=\"\(HTMLEscape.text(Fmt.date(w.lastHeartbeat)))\">"
                + "\(HTMLEscape.text(Fmt.ago(w.lastHeartbeat, now: s.generatedAt)))</td>"
                + "<td class=\"num\">\(Fmt.count(w.tasksDone))</td><td>\(current)</td></tr>"
        }
        return PageLayout.table(
            headers: ["Worker", "Host", "Cores", "State", "Last heartbeat", "Tasks done", "Current tasks"],
            numericColumns: [2, 5], rows: rows, empty: "No worker has registered yet.")
    }

    static func jobsTable(_ s: ClusterSnapshot) -> String {
        let rows = s.jobs.map { j in
            let elapsed = j.elapsed(now: s.generatedAt)
            let failures = j.failures.count
            let failCell =
                failures == 0 ? "<span class=\"muted\">0</span>" : "<b style=\"color:#b91c1c\">\(failures)</b>"
            // The job's error, if any, shows as the state badge's tooltip.
            let stateCell =
                j.error.map { "<span title=\"\(HTMLEscape.text($0))\">\(PageLayout.badge(j.state))</span>" }
                ?? PageLayout.badge(j.state)
            return
                "<tr><td class=\"mono id\"><a href=\"/jobs/\(HTMLEscape.text(pathSegment(j.id)))\">\(HTMLEscape.text(j.id))</a></td>"
                + "<td>\(HTMLEscape.text(j.job))</td><td class=\"nowrap\">\(HTMLEscape.text(j.dateRange))</td>"
                + "<td>\(stateCell)</td><td>\(HTMLEscape.text(j.phase))</td>"
                + "<td>\(PageLayout.progressBar(done: j.tasksDone, running: j.tasksRunning, planned: j.tasksPlanned, state: j.state))</td>"
                + "<td class=\"num\">\(Fmt.count(j.records))</td>"
                + "<td class=\"num\">\(Fmt.megabytes(j.uncompressedBytes))</td>"
                + "<td class=\"num\">\(Fmt.rate(j.uncompressedBytes, seconds: elapsed))</td>"
                + "<td class=\"num\">\(HTMLEscape.text(Fmt.duration(elapsed)))</td>"
                + "<td class=\"num\">\(Fmt.count(j.rejects))</td><td class=\"num\">\(failCell)</td></tr>"
        }
        return PageLayout.table(
            headers: [
                "Job", "Name", "Dates", "State", "Phase", "Progress", "Records", "MB", "MB/s",
                "Duration", "Rejects", "Failures",
            ],
            numericColumns: [6, 7, 8, 9, 10, 11], rows: rows, empty: "No job submitted yet.")
    }
}
