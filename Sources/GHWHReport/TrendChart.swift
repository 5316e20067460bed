import GHWHHTML

/// Line chart of the backlog trend: open issues and open PRs per loaded ingest day.
enum TrendChart {
    static let width = 960.0, height = 300.0
    static let left = 64.0, right = 40.0, top = 36.0, bottom = 48.0  // room for the last date label

    /// The SVG, or nil when there is no day to draw.
    static func svg(_ trend: [TrendPoint]) -> String? {
        guard !trend.isEmpty else { return nil }
        let s = SVGSupport.self
        let plotW = width - left - right
        let plotH = height - top - bottom
        let maxValue = trend.map { max($0.issuesOpen, $0.prsOpen) }.max() ?? 0
        let ticks = s.ticks(upTo: Double(max(maxValue, 1)))
        let yMax = ticks.last ?? Double(max(maxValue, 1))
        func y(_ v: Int) -> Double { top + plotH - Double(v) / yMax * plotH }
        func x(_ i: Int) -> Double {
            trend.count == 1 ? left + plotW / 2 : left + Double(i) / Double(trend.count - 1) * plotW
        }
        var out = [s.open(width: width, height: height, title: "Open issues and open pull requests per ingest day")]
        for t in ticks {
            let ty = top + plotH - t / yMax * plotH
            out.append(
                "<line x1=\"\(s.n(left))\" x2=\"\(s.n(width - right))\" y1=\"\(s.n(ty))\" y2=\"\(s.n(ty))\" stroke=\"\(s.grid)\"/>"
            )
            out.append(s.label(s.tickLabel(t), x: left - 8, y: ty + 4, anchor: "end", size: 11, fill: s.muted))
        }
        // Date labels: first, last, and evenly spaced ones that fit (a date is about 70 units wide).
        let every = max(1, Int((Double(trend.count) * 80 / plotW).rounded(.up)))
        var labelled = trend.indices.filter { $0 % every == 0 }
        if let last = labelled.last, last != trend.count - 1 {
            if x(trend.count - 1) - x(last) < 75 { labelled.removeLast() }
            labelled.append(trend.count - 1)
        }
        for i in labelled {
            out.append(s.label(trend[i].date, x: x(i), y: top + plotH + 18, anchor: "middle", size: 11, fill: s.text))
        }
        let series: [(String, String, KeyPath<TrendPoint, Int>)] = [
            ("open issues", s.issue, \.issuesOpen), ("open PRs", s.openTime, \.prsOpen),
        ]
        for (name, color, key) in series {
            let points = trend.indices.map { "\(s.n(x($0))),\(s.n(y(trend[$0][keyPath: key])))" }.joined(separator: " ")
            out.append("<polyline points=\"\(points)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\"/>")
            for (i, t) in trend.enumerated() {
                out.append(
                    "<circle cx=\"\(s.n(x(i)))\" cy=\"\(s.n(y(t[keyPath: key])))\" r=\"3\" fill=\"\(color)\"><title>\(HTMLEscape.text("\(t.date): \(NumberFormat.grouped(t[keyPath: key])) \(name)"))</title></circle>"
                )
            }
        }
        // Legend.
        var lx = left
        for (name, color, _) in series {
            out.append("<rect x=\"\(s.n(lx))\" y=\"10\" width=\"14\" height=\"4\" fill=\"\(color)\"/>")
            out.append(s.label(name, x: lx + 20, y: 16, size: 12, fill: s.text))
            lx += 20 + s.textWidth(name, fontSize: 12) + 24
        }
        out.append(
            "<line x1=\"\(s.n(left))\" x2=\"\(s.n(width - right))\" y1=\"\(s.n(top + plotH))\" y2=\"\(s.n(top + plotH))\" stroke=\"\(s.axis)\"/>"
        )
        out.append(s.label("ingest day", x: left + plotW / 2, y: height - 6, anchor: "middle", size: 12, fill: s.muted))
        out.append("</svg>")
        return out.joined(separator: "\n")
    }
}
