import GHWHHTML

/// Horizontal bar chart of the most common labels, with share and PR count at each bar's end.
enum LabelShareChart {
    static let width = 960.0
    static let rowHeight = 26.0, top = 28.0, bottom = 16.0, right = 130.0

    /// The SVG for the first `limit` labels, or nil when there are none.
    static func svg(_ labels: [LabelShare], limit: Int = 20) -> String? {
        let shown = Array(labels.prefix(limit))
        guard !shown.isEmpty else { return nil }
        let s = SVGSupport.self
        let fontSize = 13.0
        let longest = shown.map { s.textWidth($0.label, fontSize: fontSize) }.max() ?? 0
        let labelW = min(max(longest, 60), 300)
        let left = labelW + 16
        let plotW = width - left - right
        let height = top + Double(shown.count) * rowHeight + bottom
        let maxShare = shown.map(\.share).max() ?? 0
        let ticks = s.ticks(upTo: max(maxShare, 0.0001) * 100, target: 5)
        let xMax = (ticks.last ?? 100) / 100
        func x(_ share: Double) -> Double { left + (xMax > 0 ? share / xMax * plotW : 0) }

        var out = [s.open(width: width, height: height, title: "Label shares: top \(shown.count)")]
        for t in ticks {
            let tx = x(t / 100)
            out.append(
                "<line x1=\"\(s.n(tx))\" x2=\"\(s.n(tx))\" y1=\"\(s.n(top - 6))\" y2=\"\(s.n(height - bottom))\" stroke=\"\(s.grid)\"/>"
            )
            out.append(s.label(s.tickLabel(t) + "%", x: tx, y: top - 12, anchor: "middle", size: 11, fill: s.muted))
        }
        for (i, l) in shown.enumerated() {
            let rowY = top + Double(i) * rowHeight
            let barH = rowHeight * 0.66
            let barY = rowY + (rowHeight - barH) / 2
            let textY = rowY + rowHeight / 2 + 4.5
            let name = s.fit(l.label, maxWidth: labelW, fontSize: fontSize)
            out.append(
                s.label(
                    name, x: left - 10, y: textY, anchor: "end", size: fontSize, fill: s.text,
                    tooltip: name == l.label ? nil : l.label))
            let w = max(x(l.share) - left, l.share > 0 ? 1 : 0)
            let summary = "\(NumberFormat.percent(l.share)) · \(NumberFormat.grouped(l.prCount)) PRs"
            out.append(
                "<rect x=\"\(s.n(left))\" y=\"\(s.n(barY))\" width=\"\(s.n(w))\" height=\"\(s.n(barH))\" rx=\"2\" fill=\"\(s.labels)\"><title>\(HTMLEscape.text(l.label + ": " + summary))</title></rect>"
            )
            out.append(s.label(summary, x: left + w + 6, y: textY, size: 12, fill: s.text))
        }
        out.append(
            "<line x1=\"\(s.n(left))\" x2=\"\(s.n(left))\" y1=\"\(s.n(top - 6))\" y2=\"\(s.n(height - bottom))\" stroke=\"\(s.axis)\"/>"
        )
        out.append("</svg>")
        return out.joined(separator: "\n")
    }
}
