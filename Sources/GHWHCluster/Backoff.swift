/// The delays between the tries of a retry loop, as a pure value: it never
/// sleeps and reads no clock (the caller sleeps for each delay it hands out),
/// so a schedule is tested by calling `nextDelay()`.
///
/// The one schedule, `Backoff()`: 0.2 s, doubling, capped at 15 s —
/// 0.2, 0.4, 0.8, 1.6, 3.2, 6.4, 12.8, 15, 15, ... — without end.
/// A loop that must give up says so with `maxRetries` (delays handed out) or
/// `budget` (seconds of delay in all; the last delay is shortened to fit), and
/// a loop that should notice a peer's return sooner lowers `cap`; each such
/// call site says why (docs/operations.md#retries lists them).
///
/// No jitter, on purpose: the retrying processes are few (one coordinator, one
/// loader, a few workers, a person's `ghwh-submit`), so their retries do not
/// stampede a restarted coordinator or PostgreSQL, and a fixed schedule keeps
/// the log's `delay_s` and the tests predictable. Jitter would need a random
/// source in this value, or a seed per process, for no measured gain.
public struct Backoff: Sendable, Equatable {
    /// The first delay, in seconds.
    public let initial: Double
    /// Each delay is the previous one times this.
    public let multiplier: Double
    /// No delay is longer than this, in seconds.
    public let cap: Double
    /// nil: retry without end; n: `nextDelay()` answers nil after n delays.
    public let maxRetries: Int?
    /// nil: no limit; s: the delays handed out add up to at most s seconds,
    /// then `nextDelay()` answers nil.
    public let budget: Double?

    /// Delays handed out since the start (or `reset()`).
    public private(set) var retries = 0
    /// Seconds of delay handed out since the start (or `reset()`).
    public private(set) var total = 0.0
    private var next: Double

    public init(
        initial: Double = 0.2, multiplier: Double = 2, cap: Double = 15,
        maxRetries: Int? = nil, budget: Double? = nil
    ) {
        precondition(
            initial > 0 && multiplier >= 1 && cap >= initial, "a backoff grows from a positive delay to its cap")
        precondition((maxRetries ?? 0) >= 0 && (budget ?? 0) >= 0, "limits are not negative")
        self.initial = initial
        self.multiplier = multiplier
        self.cap = cap
        self.maxRetries = maxRetries
        self.budget = budget
        self.next = initial
    }

    /// The delay to sleep before the next try; nil: give up.
    public mutating func nextDelay() -> Double? {
        if let maxRetries, retries >= maxRetries { return nil }
        var delay = next
        if let budget {
            // What is left of the budget, to the millisecond (a log shows 4.6, not 4.599999999999994).
            let left = ((budget - total) * 1000).rounded() / 1000
            guard left > 0 else { return nil }
            delay = min(delay, left)
        }
        retries += 1
        total += delay
        next = min(next * multiplier, cap)
        return delay
    }

    /// Starts the schedule over (after a success).
    public mutating func reset() {
        retries = 0
        total = 0
        next = initial
    }
}

extension Backoff {
    /// Reaching the coordinator again (a worker's or the loader's requests):
    /// the one schedule capped at 5 s instead of 15 s, without end. A restarted
    /// coordinator resumes its jobs at once and waits for its workers and loader,
    /// so the cap bounds how long the cluster idles once it is back; a few
    /// processes asking every 5 s cost it nothing.
    public static let toCoordinator = Backoff(cap: 5)
}
