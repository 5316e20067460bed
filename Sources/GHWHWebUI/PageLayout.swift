import GHWHHTML

/// The shared page frame: head, inline CSS, header bar and footer.
enum PageLayout {
    /// Wraps `body` into a full HTML document. `title` is plain text (escaped here).
    static func page(title: String, snapshot: ClusterSnapshot, active: String, body: String) -> String {
        func navLink(_ href: String, _ label: String) -> String {
            let cls = label == active ? " class=\"active\"" : ""
            return "<a href=\"\(href)\"\(cls)>\(HTMLEscape.text(label))</a>"
        }
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta http-equiv="refresh" content="2">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(HTMLEscape.text(title)) · ghwh</title>
            <style>\(css)</style>
            </head>
            <body>
            <header>
            <div class="brand">ghwh <span>coordinator</span></div>
            <nav>\(navLink("/", "Overview"))\(navLink("/workers", "Workers"))\
            \(navLink("/api/v1/cluster", "API"))\(navLink("/metrics", "Metrics"))</nav>
            <div class="url">\(HTMLEscape.text(snapshot.coordinatorURL))</div>
            </header>
            <main>
            \(body)
            </main>
            <footer>Generated \(HTMLEscape.text(Fmt.date(snapshot.generatedAt))) · up since \
            \(HTMLEscape.text(Fmt.date(snapshot.startedAt))) · refreshes every 2 s</footer>
            </body>
            </html>

            """
    }

    /// A coloured pill for a state word (`running`, `lost`, ...).
    static func badge(_ state: String) -> String {
        let known =
            ["queued", "running", "succeeded", "failed", "killed", "alive", "lost", "silver", "gold"]
            + ClusterMetrics.taskStates
        let cls = known.contains(state) ? state : "other"
        return "<span class=\"badge \(cls)\">\(HTMLEscape.text(state))</span>"
    }

    /// A horizontal bar showing done/planned, with the numbers on it.
    static func progressBar(done: Int, running: Int, planned: Int, state: String) -> String {
        let total = max(planned, 1)
        let donePct = min(100, Double(done) * 100 / Double(total))
        let runPct = min(100 - donePct, Double(running) * 100 / Double(total))
        let cls = state == "failed" || state == "killed" ? "bar failed" : "bar"
        return """
            <div class="\(cls)"><div class="done" style="width:\(pct(donePct))"></div>\
            <div class="run" style="width:\(pct(runPct))"></div>\
            <span>\(done) / \(planned)</span></div>
            """
    }

    private static func pct(_ value: Double) -> String {
        "\(Int(value.rounded()))%"
    }

    /// A `<table>` with a header row; `rows` are already-escaped `<tr>` bodies.
    static func table(headers: [String], numericColumns: Set<Int> = [], rows: [String], empty: String) -> String {
        let head = headers.enumerated().map { i, h in
            numericColumns.contains(i)
                ? "<th class=\"num\">\(HTMLEscape.text(h))</th>" : "<th>\(HTMLEscape.text(h))</th>"
        }.joined()
        let body =
            rows.isEmpty
            ? "<tr><td class=\"empty\" colspan=\"\(headers.count)\">\(HTMLEscape.text(empty))</td></tr>"
            : rows.joined(separator: "\n")
        return "<table><thead><tr>\(head)</tr></thead><tbody>\n\(body)\n</tbody></table>"
    }

    static let css = """
        *{box-sizing:border-box}
        body{margin:0;font:14px/1.45 -apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;\
        color:#1f2933;background:#f4f6f8}
        header{display:flex;align-items:center;gap:28px;padding:0 24px;height:52px;background:#1f2a37;color:#e5e7eb}
        .brand{font-weight:700;font-size:18px;letter-spacing:.3px}
        .brand span{font-weight:400;color:#9ca3af}
        nav a{color:#cbd5e1;text-decoration:none;margin-right:18px;padding:15px 0;border-bottom:3px solid transparent}
        nav a:hover{color:#fff}
        nav a.active{color:#fff;border-bottom-color:#60a5fa}
        .url{margin-left:auto;font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px;color:#9ca3af}
        main{padding:20px 24px;max-width:1400px}
        h1{font-size:20px;margin:4px 0 14px}
        h2{font-size:16px;margin:26px 0 10px;color:#374151}
        h2 small{font-weight:400;color:#6b7280}
        .cards{display:flex;gap:14px;flex-wrap:wrap}
        .card{background:#fff;border:1px solid #e2e8f0;border-radius:8px;padding:10px 16px;min-width:150px}
        .card .k{font-size:12px;color:#6b7280;text-transform:uppercase;letter-spacing:.4px}
        .card .v{font-size:20px;font-weight:600}
        table{width:100%;border-collapse:collapse;background:#fff;border:1px solid #e2e8f0;border-radius:8px;overflow:hidden}
        th{text-align:left;font-size:12px;text-transform:uppercase;letter-spacing:.4px;color:#6b7280;\
        background:#f8fafc;padding:8px 9px;border-bottom:1px solid #e2e8f0;white-space:nowrap}
        td{padding:7px 9px;border-bottom:1px solid #eef2f6;vertical-align:middle}
        tbody tr:last-child td{border-bottom:none}
        tbody tr:hover{background:#f8fafc}
        .num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
        .mono{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12.5px}
        td.id{white-space:nowrap}
        .crumbs{font-size:13px;color:#6b7280;margin-bottom:2px}
        .muted{color:#9ca3af}
        .nowrap{white-space:nowrap}
        td.empty{text-align:center;color:#9ca3af;padding:16px}
        td.err{color:#b91c1c;font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px;max-width:520px;\
        word-break:break-word}
        a{color:#2563eb;text-decoration:none}
        a:hover{text-decoration:underline}
        .badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600;\
        background:#e5e7eb;color:#374151}
        .badge.running,.badge.loading{background:#dbeafe;color:#1d4ed8}
        .badge.queued,.badge.pending{background:#fef3c7;color:#92400e}
        .badge.succeeded,.badge.committed,.badge.alive{background:#dcfce7;color:#166534}
        .badge.failed,.badge.lost{background:#fee2e2;color:#b91c1c}
        .badge.killed,.badge.cancelled{background:#e5e7eb;color:#4b5563}
        .badge.silver{background:#f1f5f9;color:#475569}
        .badge.gold{background:#fef9c3;color:#854d0e}
        .bar{position:relative;width:140px;height:18px;background:#e5e7eb;border-radius:4px;overflow:hidden;display:flex}
        .bar .done{background:#22c55e}
        .bar .run{background:#93c5fd}
        .bar.failed .done{background:#f87171}
        .bar span{position:absolute;inset:0;text-align:center;font-size:11.5px;line-height:18px;color:#111827;\
        font-variant-numeric:tabular-nums}
        .alert{background:#fef2f2;border:1px solid #fecaca;color:#991b1b;border-radius:8px;padding:10px 14px;margin-bottom:14px}
        .alert b{margin-right:6px}
        ul.failures{background:#fff;border:1px solid #e2e8f0;border-radius:8px;margin:0;padding:10px 14px 10px 32px}
        ul.failures li{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12.5px;color:#991b1b;margin:3px 0;\
        word-break:break-word}
        dl.facts{display:grid;grid-template-columns:repeat(4,minmax(0,1fr));gap:10px 18px;background:#fff;\
        border:1px solid #e2e8f0;border-radius:8px;padding:14px 16px;margin:0}
        dl.facts dt{font-size:12px;color:#6b7280;text-transform:uppercase;letter-spacing:.4px}
        dl.facts dd{margin:2px 0 0;font-weight:600;font-variant-numeric:tabular-nums;word-break:break-word}
        footer{padding:10px 24px 24px;color:#9ca3af;font-size:12px}
        """
}
