import Foundation
import GHWHHTML

/// The body of `GET /jobs/{id}`.
enum JobPage {
    static func body(_ j: ClusterSnapshot.Job, now: Date) -> String {
        let elapsed = j.elapsed(now: now)
        var html =
            "<div class=\"crumbs\"><a href=\"/\">← Overview</a> · "
            + "<a href=\"/api/v1/jobs/\(HTMLEscape.text(pathSegment(j.id)))\">JSON</a></div>\n"
        html +=
            "<h1>Job <span class=\"mono\">\(HTMLEscape.text(j.id))</span> · \(HTMLEscape.text(j.job)) \(PageLayout.badge(j.state))</h1>\n"
        if let error = j.error {
            html += "<div class=\"alert\"><b>Error</b>\(HTMLEscape.text(error))</div>\n"
        }
        let facts: [(String, String)] = [
            ("Dates", HTMLEscape.text(j.dateRange)),
            ("Phase", HTMLEscape.text(j.phase)),
            (
                "Progress",
                PageLayout.progressBar(
                    done: j.tasksDone, running: j.tasksRunning,
                    planned: j.tasksPlanned, state: j.state)
            ),
            ("Tasks running", "\(j.tasksRunning)"),
            ("Submitted", HTMLEscape.text(Fmt.date(j.submittedAt))),
            ("Started", HTMLEscape.text(Fmt.date(j.startedAt))),
            ("Finished", HTMLEscape.text(Fmt.date(j.finishedAt))),
            ("Duration", HTMLEscape.text(Fmt.duration(elapsed))),
            ("Records", Fmt.count(j.records)),
            ("Uncompressed MB", Fmt.megabytes(j.uncompressedBytes)),
            ("MB/s", Fmt.rate(j.uncompressedBytes, seconds: elapsed)),
            ("Rejects", Fmt.count(j.rejects)),
        ]
        html +=
            "<dl class=\"facts\">"
            + facts.map { "<div><dt>\(HTMLEscape.text($0.0))</dt><dd>\($0.1)</dd></div>" }.joined()
            + "</dl>\n"

        html += "<h2>Failures <small>(\(j.failures.count))</small></h2>\n"
        if j.failures.isEmpty {
            html += "<p class=\"muted\">No failed documents.</p>\n"
        } else {
            html +=
                "<ul class=\"failures\">" + j.failures.map { "<li>\(HTMLEscape.text($0))</li>" }.joined() + "</ul>\n"
        }

        html += "<h2>Tasks <small>(\(taskSummary(j.tasks)))</small></h2>\n"
        let rows = j.tasks.map { t in
            "<tr><td class=\"mono id\">\(HTMLEscape.text(t.id))</td><td>\(PageLayout.badge(t.kind))</td>"
                + "<td class=\"mono\">\(HTMLEscape.text(t.detail))</td><td>\(PageLayout.badge(t.state))</td>"
                + "<td class=\"mono\">\(t.worker.map(HTMLEscape.text) ?? "<span class=\"muted\">–</span>")</td>"
                + "<td class=\"num\">\(t.attempts)</td>"
                + "<td class=\"num\">\(t.seconds.map { String(format: "%.2f s", $0) } ?? "")</td>"
                + "<td class=\"num\">\(t.records.map(String.init) ?? "")</td>"
                + "<td class=\"err\">\(t.error.map(HTMLEscape.text) ?? "")</td></tr>"
        }
        html += PageLayout.table(
            headers: ["Task", "Kind", "Detail", "State", "Worker", "Attempts", "Duration", "Records", "Error"],
            numericColumns: [5, 6, 7], rows: rows, empty: "No task list kept for this job.")
        return html
    }

    /// "12: 3 pending, 2 running, 1 loading, 6 committed", in the task states' order.
    static func taskSummary(_ tasks: [ClusterSnapshot.TaskInfo]) -> String {
        guard !tasks.isEmpty else { return "0" }
        let order = ["pending", "running", "loading", "committed", "cancelled"]
        var counts: [String: Int] = [:]
        for t in tasks { counts[t.state, default: 0] += 1 }
        let extra = counts.keys.filter { !order.contains($0) }.sorted()
        let parts = (order + extra).compactMap { state in counts[state].map { "\($0) \(state)" } }
        return "\(tasks.count): " + parts.joined(separator: ", ")
    }
}
