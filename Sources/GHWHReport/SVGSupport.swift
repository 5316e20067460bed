import GHWHHTML

/// Shared bits of the inline SVG charts: palette, number formatting for coordinates, axis ticks, text sizing.
enum SVGSupport {
    static let text = "#1e293b"
    static let muted = "#64748b"
    static let grid = "#e2e8f0"
    static let axis = "#94a3b8"
    static let openTime = "#2563eb"
    static let merge = "#059669"
    static let issue = "#7c3aed"
    static let labels = "#0891b2"
    static let average = "#2563eb"
    static let median = "#f59e0b"

    /// Coordinates with at most one decimal keep the markup small and stable.
    static func n(_ v: Double) -> String { NumberFormat.plain((v * 10).rounded() / 10) ?? "0" }

    /// Rough rendered width of `s` at `fontSize` in a proportional sans-serif font
    /// (a little generous, so labels don't collide).
    static func textWidth(_ s: String, fontSize: Double) -> Double {
        Double(DisplayWidth.of(s)) * fontSize * 0.6
    }

    /// Cuts `s` so it fits `maxWidth` user units at `fontSize`, ending in "…".
    static func fit(_ s: String, maxWidth: Double, fontSize: Double) -> String {
        DisplayWidth.truncate(s, to: max(1, Int(maxWidth / (fontSize * 0.6))))
    }

    /// "Nice" tick values from 0 to at least `maxValue` (1, 2 or 5 times a power of ten apart), about `target` of them.
    static func ticks(upTo maxValue: Double, target: Int = 5) -> [Double] {
        guard maxValue > 0, maxValue.isFinite else { return [0, 1] }
        let raw = maxValue / Double(max(target, 1))
        var power = 1.0
        while power * 10 <= raw { power *= 10 }
        while power > raw { power /= 10 }
        let step = [1.0, 2, 5, 10].map { $0 * power }.first { $0 >= raw } ?? 10 * power
        var values: [Double] = [0]
        var last = 0.0
        while last < maxValue {
            last = Double(values.count) * step
            values.append(last)
        }
        return values
    }

    /// Tick label: grouped integers, or up to two decimals for small fractional steps.
    static func tickLabel(_ v: Double) -> String {
        v.rounded() == v ? NumberFormat.fixed(v, 0) : NumberFormat.fixed(v, 2)
    }

    /// An SVG `<text>` element with escaped content.
    static func label(
        _ s: String, x: Double, y: Double, anchor: String = "start", size: Double = 12,
        fill: String = text, weight: String? = nil, extra: String = "", tooltip: String? = nil
    ) -> String {
        let w = weight.map { " font-weight=\"\($0)\"" } ?? ""
        let tip = tooltip.map { "<title>\(HTMLEscape.text($0))</title>" } ?? ""
        return
            "<text x=\"\(n(x))\" y=\"\(n(y))\" text-anchor=\"\(anchor)\" font-size=\"\(n(size))\" fill=\"\(fill)\"\(w)\(extra)>\(tip)\(HTMLEscape.text(s))</text>"
    }

    /// Opening tag of a responsive chart: scales to its container's width, keeps its aspect ratio.
    static func open(width: Double, height: Double, title: String) -> String {
        "<svg class=\"chart\" viewBox=\"0 0 \(n(width)) \(n(height))\" role=\"img\" aria-label=\"\(HTMLEscape.text(title))\" font-family=\"inherit\">"
    }
}
