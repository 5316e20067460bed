/// Log-scaled duration bins shared by the SQL side and the charts.
///
/// Bin `i` holds values in `edges[i] ..< edges[i + 1]`; the last bin (`edges.last...`) is open-ended.
/// In Postgres, `width_bucket(seconds, ARRAY[edges]) - 1` is the same index for `seconds >= 0`
/// (`width_bucket` counts the edges that are `<=` the value).
public enum DurationBins {
    private static let minute = 60.0, hour = 3_600.0, day = 86_400.0

    /// Lower edges in seconds: 0, 1 min, 10 min, 1 h, 6 h, 1 d, 3 d, 7 d, 14 d, 30 d, 90 d, 180 d, 365 d.
    public static let edges: [Double] = [
        0, minute, 10 * minute, hour, 6 * hour,
        day, 3 * day, 7 * day, 14 * day, 30 * day, 90 * day, 180 * day, 365 * day,
    ]

    private static let labels: [String] = [
        "< 1 min", "1–10 min", "10–60 min", "1–6 h", "6–24 h",
        "1–3 d", "3–7 d", "7–14 d", "14–30 d", "30–90 d", "90–180 d", "180–365 d", "> 1 y",
    ]

    /// Number of bins (one per edge; the last is open-ended).
    public static var count: Int { edges.count }

    /// Human label of bin `index`, e.g. "1–10 min"; indexes outside the bins are clamped.
    public static func label(forBinAt index: Int) -> String {
        labels[min(max(index, 0), labels.count - 1)]
    }

    /// The bin a duration falls in. Negative durations and NaN go to bin 0, +infinity to the last bin.
    public static func index(for seconds: Double) -> Int {
        guard seconds > 0 else { return 0 }  // also catches NaN
        // The last edge <= seconds; the edges are few, a linear scan is clearest.
        return (edges.lastIndex { $0 <= seconds }) ?? 0
    }

    /// Upper bound of bin `index`, nil for the open-ended last bin.
    public static func upperEdge(ofBinAt index: Int) -> Double? {
        index + 1 < edges.count ? edges[index + 1] : nil
    }

    /// Histogram bins for per-bin counts (`counts[i]` for bin `i`); missing counts are zero, extra ones ignored.
    public static func histogram(counts: [Int]) -> [HistogramBin] {
        edges.indices.map { i in
            HistogramBin(
                lowerSeconds: edges[i], upperSeconds: upperEdge(ofBinAt: i), count: i < counts.count ? counts[i] : 0)
        }
    }

    /// Histogram of raw durations (handy for tests and in-memory reports).
    public static func histogram(of values: [Double]) -> [HistogramBin] {
        var counts = [Int](repeating: 0, count: edges.count)
        for v in values { counts[index(for: v)] += 1 }
        return histogram(counts: counts)
    }
}

extension HistogramBin {
    /// Axis label: the `DurationBins` label when this bin is one of those bins, else a humanised range.
    public var label: String {
        if let i = DurationBins.edges.firstIndex(of: lowerSeconds), DurationBins.upperEdge(ofBinAt: i) == upperSeconds {
            return DurationBins.label(forBinAt: i)
        }
        let lower = DurationFormat.humanise(lowerSeconds)
        guard let upperSeconds else { return "≥ \(lower)" }
        return "\(lower)–\(DurationFormat.humanise(upperSeconds))"
    }
}
