import Foundation

/// Human-readable numbers for the pages. All pure, so the pages are reproducible.
enum Fmt {
    /// `2025-01-02 03:04:05Z`: ISO-8601 UTC, readable in a table cell.
    static func date(_ date: Date?) -> String {
        guard let date else { return "–" }
        return ISO8601.string(date, fractional: false)
    }

    /// "3 s ago", "4 min ago", "2 h ago" measured from `now`.
    static func ago(_ date: Date, now: Date) -> String {
        let seconds = max(0, Int(now.timeIntervalSince(date).rounded()))
        if seconds < 120 { return "\(seconds) s ago" }
        if seconds < 7200 { return "\(seconds / 60) min ago" }
        if seconds < 172_800 { return "\(seconds / 3600) h ago" }
        return "\(seconds / 86400) d ago"
    }

    /// "850 ms", "12.4 s", "3m 05s", "1h 02m".
    static func duration(_ seconds: Double?) -> String {
        guard let seconds, seconds.isFinite, seconds >= 0 else { return "–" }
        if seconds < 1 { return "\(Int((seconds * 1000).rounded())) ms" }
        if seconds < 60 { return String(format: "%.1f s", seconds) }
        let whole = Int(seconds.rounded())
        if whole < 3600 { return String(format: "%dm %02ds", whole / 60, whole % 60) }
        return String(format: "%dh %02dm", whole / 3600, (whole % 3600) / 60)
    }

    /// Decimal megabytes with one fraction digit.
    static func megabytes(_ bytes: Int64) -> String {
        String(format: "%.1f", Double(bytes) / 1_000_000)
    }

    /// MB/s over `seconds`, or a dash when there is no elapsed time yet.
    static func rate(_ bytes: Int64, seconds: Double?) -> String {
        guard let seconds, seconds > 0.001 else { return "–" }
        return String(format: "%.1f", Double(bytes) / 1_000_000 / seconds)
    }

    /// 1234567 → "1,234,567".
    static func count(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, ch) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out += "," }
            out.append(ch)
        }
        return n < 0 ? "-" + out : out
    }
}

extension ClusterSnapshot.Job {
    /// Seconds from start to finish, or to `now` while it runs.
    func elapsed(now: Date) -> Double? {
        guard let startedAt else { return nil }
        return (finishedAt ?? now).timeIntervalSince(startedAt)
    }

    /// "2025-01-01 → 2025-01-07", one date, or "all".
    var dateRange: String {
        switch (from, to) {
        case (let f?, let t?) where f == t: return f
        case (let f?, let t?): return "\(f) → \(t)"
        case (let f?, nil): return "\(f) →"
        case (nil, let t?): return "→ \(t)"
        case (nil, nil): return "all"
        }
    }

    /// Completed fraction of planned tasks, 0...1.
    var progress: Double {
        guard tasksPlanned > 0 else { return state == "succeeded" ? 1 : 0 }
        return min(1, max(0, Double(tasksDone) / Double(tasksPlanned)))
    }
}
