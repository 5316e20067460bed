import GHWHCluster
import Testing

/// The one retry schedule (issue 14): a pure value, tested without clocks.
@Suite struct BackoffTests {
    private func take(_ b: inout Backoff, _ n: Int) -> [Double?] { (0..<n).map { _ in b.nextDelay() } }

    @Test func theDefaultScheduleDoublesFrom200msToItsCapOf15sWithoutEnd() {
        var b = Backoff()
        #expect(take(&b, 10) == [0.2, 0.4, 0.8, 1.6, 3.2, 6.4, 12.8, 15, 15, 15])
        for _ in 0..<1000 { #expect(b.nextDelay() == 15) }
        #expect(b.retries == 1010)
    }

    @Test func aLowerCapAndAnotherMultiplier() {
        var b = Backoff(cap: 1)
        #expect(take(&b, 5) == [0.2, 0.4, 0.8, 1, 1])
        var t = Backoff(initial: 1, multiplier: 3, cap: 10)
        #expect(take(&t, 4) == [1, 3, 9, 10])
        var flat = Backoff(initial: 1, multiplier: 1, cap: 1)
        #expect(take(&flat, 3) == [1, 1, 1])
    }

    @Test func maxRetriesGivesUpAfterThatManyDelays() {
        var b = Backoff(maxRetries: 3)
        #expect(take(&b, 5) == [0.2, 0.4, 0.8, nil, nil])
        var none = Backoff(maxRetries: 0)
        #expect(none.nextDelay() == nil)
    }

    @Test func aBudgetShortensTheLastDelayThenGivesUp() {
        var b = Backoff(budget: 30)
        let delays = take(&b, 10)
        #expect(Array(delays.prefix(7)) == [0.2, 0.4, 0.8, 1.6, 3.2, 6.4, 12.8])
        #expect(delays[7] == 4.6)  // what is left of the budget, to the millisecond
        #expect(delays[8] == nil && delays[9] == nil)
        #expect(abs(b.total - 30) < 1e-9)
        // The start-up retry (docs/operations.md#retries): a minute, 11 attempts.
        var startUp = Backoff(budget: 60)
        while startUp.nextDelay() != nil {}
        #expect(startUp.retries == 10 && abs(startUp.total - 60) < 1e-9)
        // Both limits: whichever comes first.
        var both = Backoff(maxRetries: 2, budget: 100)
        #expect(take(&both, 3) == [0.2, 0.4, nil])
    }

    @Test func resetStartsTheScheduleOver() {
        var b = Backoff(maxRetries: 2)
        #expect(take(&b, 3) == [0.2, 0.4, nil])
        b.reset()
        #expect(b.retries == 0 && b.total == 0)
        #expect(take(&b, 3) == [0.2, 0.4, nil])
        #expect(b == Backoff(maxRetries: 2).advanced(2))
    }
}

extension Backoff {
    fileprivate func advanced(_ n: Int) -> Backoff {
        var b = self
        for _ in 0..<n { _ = b.nextDelay() }
        return b
    }
}
