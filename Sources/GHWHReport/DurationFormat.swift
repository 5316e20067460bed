/// Short human durations for tables and charts: `3d 4h`, `5h 12m`, `42m`, `35s`.
public enum DurationFormat {
    /// Shown for a value that does not exist (nil or not finite).
    public static let missing = "—"

    /// The two most significant units (days are the largest unit), rounded to the smaller one;
    /// a zero second unit is dropped (`1d`, not `1d 0h`). Negative values get a leading `-`.
    public static func humanise(_ seconds: Double?) -> String {
        guard let seconds, seconds.isFinite else { return missing }
        if seconds < 0 { return "-" + humanise(-seconds) }
        let s = seconds.rounded()
        if s < 60 { return "\(Int(s))s" }
        if s < 3_600 { return pair(Int(s) / 60, "m", Int(s) % 60, "s") }
        if s < 86_400 {
            let minutes = (s / 60).rounded()
            if minutes < 1_440 { return pair(Int(minutes) / 60, "h", Int(minutes) % 60, "m") }
        }
        let hours = (s / 3_600).rounded()
        // Beyond Int range a duration is meaningless anyway; keep it printable.
        guard hours < 1e15 else { return (NumberFormat.plain((hours / 24).rounded(.down)) ?? missing) + "d" }
        return pair(Int(hours) / 24, "d", Int(hours) % 24, "h")
    }

    private static func pair(_ big: Int, _ bigUnit: String, _ small: Int, _ smallUnit: String) -> String {
        small == 0 ? "\(big)\(bigUnit)" : "\(big)\(bigUnit) \(small)\(smallUnit)"
    }
}
