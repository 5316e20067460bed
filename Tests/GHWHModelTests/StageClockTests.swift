import GHWHModel
import Testing

/// The clock charges a thread's CPU time to the stage that was current, and a
/// disabled clock charges nothing (it is in the hot path of every task).
@Suite struct StageClockTests {
    /// Burns `seconds` of this thread's CPU (not wall time: preemption cannot shorten it).
    static func burn(_ seconds: Double) {
        let until = StageClock.threadCPUSeconds() + seconds
        var x: UInt64 = 1
        while StageClock.threadCPUSeconds() < until { x = x &* 6_364_136_223_846_793_005 &+ 1 }
        #expect(x != 0)
    }

    @Test func chargesTheCurrentStageAndReturnsThePreviousOne() {
        var clock = StageClock(enabled: true, starting: .inflate)
        Self.burn(0.02)
        let previous = clock.enter(.split)
        #expect(previous == .inflate)
        Self.burn(0.05)
        clock.timed(.transform) { Self.burn(0.03) }
        let totals = clock.finish()
        #expect(totals[.inflate] >= 0.02 && totals[.inflate] < 0.05)
        #expect(totals[.split] >= 0.05 && totals[.split] < 0.08)
        #expect(totals[.transform] >= 0.03 && totals[.transform] < 0.06)
        #expect(totals[.copyEncode] == 0)
        #expect(abs(totals.total - (totals[.inflate] + totals[.split] + totals[.transform])) < 1e-9)
    }

    @Test func aDisabledClockChargesNothing() {
        var clock = StageClock(enabled: false, starting: .inflate)
        Self.burn(0.01)
        clock.enter(.split)
        Self.burn(0.01)
        #expect(clock.finish() == StageSeconds())
    }

    @Test func stageSecondsAddUp() {
        var a = StageSeconds()
        a[.split] = 1.5
        var b = StageSeconds()
        b[.split] = 0.5
        b[.gold] = 2
        a.add(b)
        #expect(a[.split] == 2 && a[.gold] == 2 && a.total == 4)
    }
}
