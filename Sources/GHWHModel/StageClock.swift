import Foundation

/// The stages a job's CPU time is attributed to (the CPU budget of
/// docs/operations.md#cpu-budget). Raw values are the names `--profile` prints.
public enum Stage: Int, CaseIterable, Sendable, Codable {
    case readHash, inflate, split, transform, copyEncode, load, gold, other

    public var name: String {
        switch self {
        case .readHash: "read+hash"
        case .inflate: "inflate"
        case .split: "split"
        case .transform: "validate+project+transform"
        case .copyEncode: "COPY encode"
        case .load: "COPY+merge (loader)"
        case .gold: "gold"
        case .other: "other"
        }
    }
}

/// Core-seconds per stage: a plain value that adds up across threads and tasks.
public struct StageSeconds: Sendable, Equatable, Codable {
    public var seconds: [Double] = Array(repeating: 0, count: Stage.allCases.count)
    public init() {}
    public subscript(_ stage: Stage) -> Double {
        get { seconds[stage.rawValue] }
        set { seconds[stage.rawValue] = newValue }
    }
    public mutating func add(_ other: StageSeconds) {
        for i in seconds.indices { seconds[i] += other.seconds[i] }
    }
    public var total: Double { seconds.reduce(0, +) }
}

/// Attributes one thread's CPU time to stages by switching between them: the
/// time since the last switch goes to the stage that was current. Code that
/// nests (a splitter calling back into the transform) switches on the way in
/// and back on the way out. Disabled, a switch is a branch and nothing else,
/// so the hot path keeps it; enabled (`ghwh run --profile`), each switch reads
/// the thread's CPU clock (~0.3 µs).
public struct StageClock: Sendable {
    public let isEnabled: Bool
    public private(set) var totals = StageSeconds()
    private var current: Stage
    private var last: Double

    public init(enabled: Bool, starting stage: Stage = .other) {
        isEnabled = enabled
        current = stage
        last = enabled ? Self.threadCPUSeconds() : 0
    }

    /// Makes `stage` current; returns the one it replaces (to switch back to).
    @inline(__always) @discardableResult
    public mutating func enter(_ stage: Stage) -> Stage {
        guard isEnabled else { return stage }
        let now = Self.threadCPUSeconds()
        totals[current] += now - last
        last = now
        let previous = current
        current = stage
        return previous
    }

    /// Runs `body` in `stage`, then switches back.
    @inline(__always)
    public mutating func timed<T>(_ stage: Stage, _ body: () throws -> T) rethrows -> T {
        let previous = enter(stage)
        defer { enter(previous) }
        return try body()
    }

    /// Charges the time since the last switch and returns the totals.
    public mutating func finish() -> StageSeconds {
        enter(current)
        return totals
    }

    public static func threadCPUSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }
}

/// Where a process's threads hand their stage totals (only while profiling).
public final class StageProfile: @unchecked Sendable {
    public static let shared = StageProfile()
    private let lock = NSLock()
    private var enabled = false
    private var totals = StageSeconds()

    public var isEnabled: Bool { lock.withLock { enabled } }

    /// Starts collecting afresh (`ghwh run --profile`).
    public func enable() {
        lock.withLock {
            enabled = true
            totals = StageSeconds()
        }
    }

    public func add(_ seconds: StageSeconds) { lock.withLock { totals.add(seconds) } }

    public func add(_ clock: inout StageClock) {
        guard clock.isEnabled else { return }
        let seconds = clock.finish()
        add(seconds)
    }

    public var snapshot: StageSeconds { lock.withLock { totals } }
}
