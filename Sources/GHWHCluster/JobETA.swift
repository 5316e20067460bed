import Foundation

/// The remaining time a progress line shows (`ghwh run`, `ghwh-submit`), from
/// what the job did so far. A plain value: time comes in as arguments.
public enum JobETA: Equatable, Sendable {
    /// Nothing measurable done yet.
    case unknown
    /// No task planned or committed for this many seconds: a guess would be a lie
    /// (no workers, the loader waiting for PostgreSQL, a huge record...).
    case stalled(seconds: Double)
    case remaining(seconds: Double)

    /// How long without progress counts as stalled.
    public static let stallAfter = 30.0

    /// The silver phase's share done is the share of input planned times the share
    /// of planned tasks committed: planning alone is not progress.
    public static func estimate(
        elapsed: Double, bytesPlanned: Int64, bytesTotal: Int64, tasksCommitted: Int,
        tasksPlanned: Int, secondsSinceProgress: Double
    ) -> JobETA {
        if secondsSinceProgress >= stallAfter { return .stalled(seconds: secondsSinceProgress) }
        guard bytesTotal > 0, bytesPlanned > 0, tasksPlanned > 0, tasksCommitted > 0 else { return .unknown }
        let fraction =
            min(1, Double(bytesPlanned) / Double(bytesTotal)) * min(1, Double(tasksCommitted) / Double(tasksPlanned))
        return .remaining(seconds: max(0, elapsed / fraction - elapsed))
    }

    /// As a progress line shows it.
    public var text: String {
        switch self {
        case .unknown: return "ETA ?"
        case .stalled(let seconds): return "ETA ? (no progress for \(Self.duration(seconds)))"
        case .remaining(let seconds): return "ETA \(Self.duration(seconds))"
        }
    }

    /// `42s`, `3:07`, `1:02:03`.
    public static func duration(_ s: Double) -> String {
        let t = Int(s.rounded())
        return t >= 3600
            ? String(format: "%d:%02d:%02d", t / 3600, t / 60 % 60, t % 60)
            : t >= 60 ? String(format: "%d:%02d", t / 60, t % 60) : "\(t)s"
    }
}
