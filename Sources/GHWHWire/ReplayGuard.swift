import Foundation

/// Refuses replayed and stale frames, per sender. Thread-safe.
///
/// Rules, per sender id:
/// - a timestamp further than `maxClockSkew` from our clock → `.stale`;
/// - a sequence above every one seen → accepted;
/// - a sequence within the last `windowSize` below the highest, not yet seen → accepted
///   (requests sent concurrently on several nng contexts can arrive out of order);
/// - an exact re-send of a recently accepted frame (same sequence *and* same MAC, which is
///   what nng REQ does after `NNG_OPT_REQ_RESENDTIME` or a reconnect) → accepted again with
///   `Envelope.isRetransmission = true`, so the server answers it again instead of leaving the
///   client hanging. **Handlers must therefore be idempotent.** Only the last `recentFrames`
///   frames per sender can be re-sent this way, and only within the clock-skew window;
/// - anything else already seen or older than the window → `.replayed`.
///
/// A restarted process reuses its sender id, so `SequenceCounter` starts sequences at the
/// wall clock in microseconds: a new session's numbers are above the old session's.
/// Senders silent for longer than twice the skew are forgotten (any replay of their frames
/// would be stale anyway), which bounds memory.
public final class ReplayGuard: @unchecked Sendable {
    public static let windowSize = 1024
    public static let recentFrames = 32

    private struct SenderState {
        var highest: UInt64
        var window = [UInt64](repeating: 0, count: ReplayGuard.windowSize / 64)  // bit i: highest - i seen
        var recent: [(UInt64, FrameMAC)] = []
        var recentNext = 0
        var lastAccepted: Double
    }

    private let lock = NSLock()
    private var senders: [String: SenderState] = [:]
    private let maxClockSkew: Double
    private var nextPrune: Double = 0

    public init(maxClockSkew: Double) { self.maxClockSkew = maxClockSkew }

    /// Accepts or refuses `envelope`; returns it marked when it is a re-send.
    /// `now` is unix seconds (injectable for tests).
    public func admit(_ envelope: Envelope, now: Double = Date().timeIntervalSince1970) throws(WireError) -> Envelope {
        let skew = Double(envelope.timestamp) / 1000 - now
        guard abs(skew) <= maxClockSkew else { throw WireError.stale(sender: envelope.sender, skewSeconds: skew) }
        lock.lock()
        defer { lock.unlock() }
        pruneIfDue(now)
        let seq = envelope.sequence
        guard var state = senders[envelope.sender] else {
            var fresh = SenderState(highest: seq, lastAccepted: now)
            fresh.window[0] = 1
            remember(&fresh, seq, envelope.mac)
            senders[envelope.sender] = fresh
            return envelope
        }
        var result = envelope
        if seq > state.highest {
            shift(&state, by: seq - state.highest)
            state.highest = seq
            state.window[0] |= 1
        } else {
            let distance = state.highest - seq
            guard distance < UInt64(Self.windowSize) else {
                throw WireError.replayed(sender: envelope.sender, sequence: seq)
            }
            let word = Int(distance / 64)
            let bit = UInt64(1) << (distance % 64)
            if state.window[word] & bit != 0 {
                guard state.recent.contains(where: { $0.0 == seq && $0.1 == envelope.mac }) else {
                    throw WireError.replayed(sender: envelope.sender, sequence: seq)
                }
                result.isRetransmission = true
            } else {
                state.window[word] |= bit
            }
        }
        if !result.isRetransmission { remember(&state, seq, envelope.mac) }
        state.lastAccepted = now
        senders[envelope.sender] = state
        return result
    }

    /// Number of senders currently tracked.
    public var trackedSenders: Int {
        lock.lock()
        defer { lock.unlock() }
        return senders.count
    }

    private func remember(_ state: inout SenderState, _ seq: UInt64, _ mac: FrameMAC) {
        if state.recent.count < Self.recentFrames {
            state.recent.append((seq, mac))
        } else {
            state.recent[state.recentNext] = (seq, mac)
        }
        state.recentNext = (state.recentNext + 1) % Self.recentFrames
    }

    /// Moves the window up by `n` sequence numbers (bit 0 stays "highest").
    private func shift(_ state: inout SenderState, by n: UInt64) {
        let words = state.window.count
        guard n < UInt64(Self.windowSize) else {
            for i in 0..<words { state.window[i] = 0 }
            return
        }
        let wordShift = Int(n / 64)
        let bitShift = UInt64(n % 64)
        for i in stride(from: words - 1, through: 0, by: -1) {
            let src = i - wordShift
            var v: UInt64 = src >= 0 ? state.window[src] << bitShift : 0
            if bitShift > 0, src - 1 >= 0 { v |= state.window[src - 1] >> (64 - bitShift) }
            state.window[i] = v
        }
    }

    private func pruneIfDue(_ now: Double) {
        guard now >= nextPrune else { return }
        nextPrune = now + maxClockSkew
        let horizon = now - 2 * maxClockSkew - 1
        senders = senders.filter { $0.value.lastAccepted >= horizon }
    }
}

/// Sequence numbers for one sender session: start at the wall clock in microseconds so a
/// restarted process (same sender id) continues above its previous session, then +1 each.
public final class SequenceCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var last: UInt64

    public init(start: UInt64 = UInt64(max(0, Date().timeIntervalSince1970 * 1_000_000))) { last = start }

    public func next() -> UInt64 {
        lock.lock()
        defer { lock.unlock() }
        last += 1
        return last
    }
}

/// Opens frames and admits them through a `ReplayGuard`: the one check every receiver runs.
public struct FrameOpener: Sendable {
    public let secret: ClusterSecret
    public let limits: FrameLimits
    public let replayGuard: ReplayGuard

    public init(secret: ClusterSecret, limits: FrameLimits) {
        self.secret = secret
        self.limits = limits
        replayGuard = ReplayGuard(maxClockSkew: limits.maxClockSkew)
    }

    public func open(_ bytes: UnsafeRawBufferPointer) throws(WireError) -> Envelope {
        try replayGuard.admit(FrameCodec.open(bytes, secret: secret, limits: limits))
    }

    public func open(_ bytes: [UInt8]) throws(WireError) -> Envelope {
        try replayGuard.admit(FrameCodec.open(bytes, secret: secret, limits: limits))
    }
}
