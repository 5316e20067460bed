import GHWHHTML

/// Grouped horizontal bars: average and median lines changed per milestone, side by side.
enum MilestoneLinesChart {
    static let width = 960.0
    static let groupHeight = 40.0, top = 48.0, bottom = 46.0, right = 80.0
    static let nameSize = 13.0, repoSize = 11.0
    /// More milestones than this make an unreadable chart; the table below it lists them all.
    static let maxShown = 40

    /// The milestones the chart draws: all of them, or the `maxShown` with most PRs (kept in report order).
    static func shown(_ milestones: [MilestoneLines]) -> [MilestoneLines] {
        let drawable = milestones.filter { $0.avgLinesChanged != nil || $0.medianLinesChanged != nil }
        guard drawable.count > maxShown else { return drawable }
        let keep = Set(
            drawable.indices.sorted {
                drawable[$0].prs > drawable[$1].prs || (drawable[$0].prs == drawable[$1].prs && $0 < $1)
            }.prefix(maxShown))
        return drawable.indices.filter(keep.contains).map { drawable[$0] }
    }

    /// The SVG, or nil when no milestone has line counts.
    static func svg(_ milestones: [MilestoneLines]) -> String? {
        let rows = shown(milestones)
        guard !rows.isEmpty else { return nil }
        let s = SVGSupport.self
        let longest =
            rows.map { max(s.textWidth($0.milestone, fontSize: nameSize), s.textWidth($0.repo, fontSize: repoSize)) }
            .max() ?? 0
        let labelW = min(max(longest, 80), 260)
        let left = labelW + 20
        let plotW = width - left - right
        let height = top + Double(rows.count) * groupHeight + bottom
        let maxValue =
            rows.flatMap { [$0.avgLinesChanged ?? 0, $0.medianLinesChanged ?? 0] }.filter(\.isFinite).max() ?? 0
        let ticks = s.ticks(upTo: max(maxValue, 1))
        let xMax = ticks.last ?? 1
        func x(_ v: Double) -> Double { left + max(0, v) / xMax * plotW }

        var out = [s.open(width: width, height: height, title: "Lines changed per milestone: average and median")]
        // Legend.
        out.append("<rect x=\"\(s.n(left))\" y=\"10\" width=\"12\" height=\"12\" rx=\"2\" fill=\"\(s.average)\"/>")
        out.append(s.label("average lines changed", x: left + 18, y: 20, size: 12))
        out.append("<rect x=\"\(s.n(left + 180))\" y=\"10\" width=\"12\" height=\"12\" rx=\"2\" fill=\"\(s.median)\"/>")
        out.append(s.label("median lines changed", x: left + 198, y: 20, size: 12))
        for t in ticks {
            let tx = x(t)
            out.append(
                "<line x1=\"\(s.n(tx))\" x2=\"\(s.n(tx))\" y1=\"\(s.n(top - 4))\" y2=\"\(s.n(height - bottom))\" stroke=\"\(s.grid)\"/>"
            )
            out.append(
                s.label(s.tickLabel(t), x: tx, y: height - bottom + 16, anchor: "middle", size: 11, fill: s.muted))
        }
        for (i, m) in rows.enumerated() {
            out += group(m, y: top + Double(i) * groupHeight, left: left, labelW: labelW, x: x)
        }
        out.append(
            "<line x1=\"\(s.n(left))\" x2=\"\(s.n(left))\" y1=\"\(s.n(top - 4))\" y2=\"\(s.n(height - bottom))\" stroke=\"\(s.axis)\"/>"
        )
        out.append(
            s.label(
                "lines changed (additions + deletions) per PR", x: left + plotW / 2, y: height - 8, anchor: "middle",
                size: 12, fill: s.muted))
        out.append("</svg>")
        return out.joined(separator: "\n")
    }

    /// One milestone: its name and repo left of the axis, an average and a median bar (or "no ...") right of it.
    static func group(
        _ m: MilestoneLines, y gy: Double, left: Double, labelW: Double, x: (Double) -> Double
    ) -> [String] {
        let s = SVGSupport.self
        var parts: [String] = []
        let name = s.fit(m.milestone, maxWidth: labelW, fontSize: nameSize)
        let repo = s.fit(m.repo, maxWidth: labelW, fontSize: repoSize)
        parts.append(
            s.label(
                name, x: left - 10, y: gy + 16, anchor: "end", size: nameSize, weight: "600",
                tooltip: name == m.milestone ? nil : m.milestone))
        parts.append(
            s.label(
                "\(repo) · \(NumberFormat.grouped(m.prs)) PRs", x: left - 10, y: gy + 30, anchor: "end",
                size: repoSize, fill: s.muted))
        for (j, (value, color, what)) in [
            (m.avgLinesChanged, s.average, "average"), (m.medianLinesChanged, s.median, "median"),
        ].enumerated() {
            let barH = 13.0
            let barY = gy + 5 + Double(j) * (barH + 2)
            guard let value, value.isFinite else {
                parts.append(s.label("no \(what)", x: left + 6, y: barY + 10.5, size: 11, fill: s.muted))
                continue
            }
            let w = max(x(value) - left, value > 0 ? 1 : 0)
            // Same formats as the tables: averages with one decimal, medians as exact as they are.
            let text = j == 0 ? NumberFormat.fixed(value, 1) : NumberFormat.compact(value)
            parts.append(
                "<rect x=\"\(s.n(left))\" y=\"\(s.n(barY))\" width=\"\(s.n(w))\" height=\"\(s.n(barH))\" rx=\"2\" fill=\"\(color)\"><title>\(HTMLEscape.text("\(m.repo) \(m.milestone): \(what) \(text) lines"))</title></rect>"
            )
            parts.append(s.label(text, x: left + w + 5, y: barY + 10.5, size: 11, fill: s.text))
        }
        return parts
    }
}
