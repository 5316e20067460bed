import GHWHHTML

/// Vertical bar chart of a duration histogram (one bar per bin, value labels on top).
enum HistogramChart {
    static let width = 960.0, height = 300.0
    static let left = 64.0, right = 16.0, top = 24.0, bottom = 62.0

    /// The SVG, or nil when there is nothing to draw (no bins or all counts zero).
    static func svg(_ bins: [HistogramBin], title: String, unit: String, color: String) -> String? {
        guard !bins.isEmpty, let maxCount = bins.map(\.count).max(), maxCount > 0 else { return nil }
        let s = SVGSupport.self
        let plotW = width - left - right
        let plotH = height - top - bottom
        let ticks = s.ticks(upTo: Double(maxCount))
        let yMax = ticks.last ?? Double(maxCount)
        func y(_ v: Double) -> Double { top + plotH - v / yMax * plotH }
        let band = plotW / Double(bins.count)
        var out = [s.open(width: width, height: height, title: title)]

        // Horizontal grid lines with count ticks.
        for t in ticks {
            out.append(
                "<line x1=\"\(s.n(left))\" x2=\"\(s.n(width - right))\" y1=\"\(s.n(y(t)))\" y2=\"\(s.n(y(t)))\" stroke=\"\(s.grid)\"/>"
            )
            out.append(s.label(s.tickLabel(t), x: left - 8, y: y(t) + 4, anchor: "end", size: 11, fill: s.muted))
        }
        // Bars, value labels and bin labels.
        let total = bins.reduce(0) { $0 + $1.count }
        // If any bin label is too wide for its band, all of them go on two lines (range, then unit).
        let twoLines = bins.contains { s.textWidth($0.label, fontSize: 12) > band - 4 }
        for (i, bin) in bins.enumerated() {
            let x0 = left + Double(i) * band
            let center = x0 + band / 2
            let barW = band * 0.74
            let h = Double(bin.count) / yMax * plotH
            let pct = NumberFormat.percent(Double(bin.count) / Double(total))
            if bin.count > 0 {
                out.append(
                    "<rect x=\"\(s.n(center - barW / 2))\" y=\"\(s.n(y(Double(bin.count))))\" width=\"\(s.n(barW))\" height=\"\(s.n(h))\" rx=\"2\" fill=\"\(color)\"><title>\(HTMLEscape.text("\(bin.label): \(NumberFormat.grouped(bin.count)) \(unit) (\(pct))"))</title></rect>"
                )
                let valueText = NumberFormat.grouped(bin.count)
                let size = min(12, band / (Double(DisplayWidth.of(valueText)) * 0.62))
                out.append(
                    s.label(
                        valueText, x: center, y: y(Double(bin.count)) - 5, anchor: "middle", size: size, fill: s.text))
            }
            out += binLabel(bin.label, center: center, twoLines: twoLines, y: top + plotH + 17)
        }
        // Axes.
        out.append(
            "<line x1=\"\(s.n(left))\" x2=\"\(s.n(width - right))\" y1=\"\(s.n(top + plotH))\" y2=\"\(s.n(top + plotH))\" stroke=\"\(s.axis)\"/>"
        )
        out.append(
            s.label(
                "duration (log-scaled bins)", x: left + plotW / 2, y: height - 8, anchor: "middle", size: 12,
                fill: s.muted))
        out.append(
            s.label(
                unit, x: 14, y: top + plotH / 2, anchor: "middle", size: 12, fill: s.muted,
                extra: " transform=\"rotate(-90 14 \(s.n(top + plotH / 2)))\""))
        out.append("</svg>")
        return out.joined(separator: "\n")
    }

    /// One line, or two split at the last space (`180–365` over `d`).
    private static func binLabel(_ text: String, center: Double, twoLines: Bool, y: Double) -> [String] {
        let s = SVGSupport.self
        let size = 12.0
        guard twoLines, let space = text.lastIndex(of: " ") else {
            return [s.label(text, x: center, y: y, anchor: "middle", size: size, fill: s.text)]
        }
        let first = String(text[..<space])
        let second = String(text[text.index(after: space)...])
        return [
            s.label(first, x: center, y: y, anchor: "middle", size: size, fill: s.text),
            s.label(second, x: center, y: y + 14, anchor: "middle", size: size, fill: s.text),
        ]
    }
}
