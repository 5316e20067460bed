import Foundation
import Testing

@testable import GHWHWire

@Suite struct ReplayGuardTests {
    let secret = TestEnv.secret

    func envelope(_ seq: UInt64, sender: String = "w1", payload: [UInt8] = [1], at ms: Int64 = WallClock.nowMillis())
        throws -> Envelope
    {
        let frame = try FrameCodec.seal(
            type: 1, payload: payload, sender: sender, sequence: seq, secret: secret, timestamp: ms)
        return try FrameCodec.open(frame, secret: secret, limits: TestEnv.limits)
    }

    @Test func replayedSequenceIsRefused() throws {
        let replayGuard = ReplayGuard(maxClockSkew: 300)
        _ = try replayGuard.admit(try envelope(10))
        _ = try replayGuard.admit(try envelope(11))
        // Same sequence, different frame (another payload): a replay, not a re-send.
        #expect(throws: WireError.replayed(sender: "w1", sequence: 10)) {
            _ = try replayGuard.admit(try envelope(10, payload: [2]))
        }
        #expect(throws: WireError.replayed(sender: "w1", sequence: 11)) {
            _ = try replayGuard.admit(try envelope(11, payload: [9]))
        }
        // Another sender has its own sequence space.
        #expect(try replayGuard.admit(try envelope(10, sender: "w2")).isRetransmission == false)
    }

    @Test func exactResendIsAdmittedAsRetransmission() throws {
        let replayGuard = ReplayGuard(maxClockSkew: 300)
        let first = try envelope(100)
        #expect(try replayGuard.admit(first).isRetransmission == false)
        #expect(try replayGuard.admit(first).isRetransmission == true)
        // Once pushed out of the recent-frames ring, even the exact frame is refused.
        for s in UInt64(101)...100 + UInt64(ReplayGuard.recentFrames) { _ = try replayGuard.admit(try envelope(s)) }
        #expect(throws: WireError.replayed(sender: "w1", sequence: 100)) { _ = try replayGuard.admit(first) }
    }

    @Test func outOfOrderWithinWindowIsAcceptedOnce() throws {
        let replayGuard = ReplayGuard(maxClockSkew: 300)
        let top: UInt64 = 10_000
        let window = UInt64(ReplayGuard.windowSize)
        _ = try replayGuard.admit(try envelope(top))
        _ = try replayGuard.admit(try envelope(top - 2))
        _ = try replayGuard.admit(try envelope(top - 1))
        #expect(throws: WireError.replayed(sender: "w1", sequence: top - 2)) {
            _ = try replayGuard.admit(try envelope(top - 2, payload: [5]))
        }
        // Far below the window: refused even if never seen.
        #expect(throws: WireError.replayed(sender: "w1", sequence: top - window)) {
            _ = try replayGuard.admit(try envelope(top - window))
        }
        // oldest slot still open
        #expect(try replayGuard.admit(try envelope(top - window + 1)).isRetransmission == false)
        // A big jump clears the window; the old highest is now below it.
        _ = try replayGuard.admit(try envelope(top + 5000))
        #expect(throws: WireError.replayed(sender: "w1", sequence: top)) {
            _ = try replayGuard.admit(try envelope(top, payload: [3]))
        }
        // Unseen and inside the window after a shift that crosses word boundaries.
        _ = try replayGuard.admit(try envelope(top + 5000 - 70))
        #expect(throws: WireError.replayed(sender: "w1", sequence: top + 4930)) {
            _ = try replayGuard.admit(try envelope(top + 4930, payload: [3]))
        }
        _ = try replayGuard.admit(try envelope(top + 5000 + 65))  // shift by 65: bit of top+4930 moves to distance 135
        #expect(throws: WireError.replayed(sender: "w1", sequence: top + 4930)) {
            _ = try replayGuard.admit(try envelope(top + 4930, payload: [4]))
        }
        #expect(try replayGuard.admit(try envelope(top + 4931)).isRetransmission == false)
    }

    @Test func staleTimestampIsRefused() throws {
        let replayGuard = ReplayGuard(maxClockSkew: 300)
        let old = try envelope(1, at: WallClock.nowMillis() - 301_000)
        guard case .stale(let sender, let skew) = wireError({ _ = try replayGuard.admit(old) }) else {
            Issue.record("expected stale")
            return
        }
        #expect(sender == "w1" && skew < -300)
        let future = try envelope(2, at: WallClock.nowMillis() + 400_000)
        #expect(wireError { _ = try replayGuard.admit(future) } != nil)
    }

    @Test func restartedSenderContinuesAboveOldSession() throws {
        let replayGuard = ReplayGuard(maxClockSkew: 300)
        let before = SequenceCounter()
        for _ in 0..<1000 { _ = try replayGuard.admit(try envelope(before.next())) }
        let after = SequenceCounter()  // a new process with the same sender id
        #expect(try replayGuard.admit(try envelope(after.next())).isRetransmission == false)
    }

    @Test func silentSendersAreForgotten() throws {
        let replayGuard = ReplayGuard(maxClockSkew: 1)
        let now = Date().timeIntervalSince1970
        _ = try replayGuard.admit(try envelope(1, sender: "a"), now: now)
        #expect(replayGuard.trackedSenders == 1)
        let later = now + 10
        _ = try replayGuard.admit(try envelope(1, sender: "b", at: Int64(later * 1000)), now: later)
        #expect(replayGuard.trackedSenders == 1)
    }

    @Test func concurrentAdmissionsAcceptEachSequenceOnce() throws {
        let replayGuard = ReplayGuard(maxClockSkew: 300)
        let envelopes = try (1...400).map { try envelope(UInt64($0)) }
        let accepted = Collected<UInt64>()
        onThreads(4) { _ in
            for e in envelopes {
                if let ok = try? replayGuard.admit(e), !ok.isRetransmission { accepted.add(e.sequence) }
            }
        }
        #expect(accepted.all.sorted() == Array(1...400))
    }
}
