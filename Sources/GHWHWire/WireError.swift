/// Every failure of the wire layer: decoding, framing, authentication and transport.
///
/// Each case names what went wrong and, where it applies, where (byte offset),
/// which peer (sender id) and which limit, so a log line is enough to diagnose it.
public enum WireError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The bytes do not follow the encoding: truncated, overflowing, invalid UTF-8, absurd length.
    case malformed(String)
    /// The frame does not start with "GHWH".
    case badMagic
    /// The frame's protocol version is not one this build speaks.
    case unsupportedVersion(UInt16)
    /// The HMAC did not verify: wrong cluster secret or a modified frame.
    case authenticationFailed
    /// The sender's sequence number was already used (or is older than the replay window).
    case replayed(sender: String, sequence: UInt64)
    /// The frame's timestamp is further from our clock than `FrameLimits.maxClockSkew`.
    case stale(sender: String, skewSeconds: Double)
    /// A message exceeds the configured size limit (frame bytes, limit in bytes).
    case tooLarge(bytes: Int, limit: Int)
    /// The socket (or the peer's server) was closed.
    case closed
    /// The operation did not finish within its timeout.
    case timedOut
    /// An nng call failed: operation, nng error code, nng_strerror text.
    case nng(String, Int32, String)
    /// A message of another type than the one expected arrived.
    case unexpectedType(UInt16)
    /// The server refused our request frame (it could not authenticate or accept it) and said why.
    case rejectedByPeer(String)
    /// The server accepted our request but its handler threw; the text is the handler's error.
    case handlerFailed(String)

    public var description: String {
        switch self {
        case .malformed(let what): return "malformed wire data: \(what)"
        case .badMagic: return "not a ghwh frame (bad magic, expected \"GHWH\")"
        case .unsupportedVersion(let v):
            return "unsupported ghwh protocol version \(v) (this build speaks \(FrameCodec.protocolVersion))"
        case .authenticationFailed:
            return "frame authentication failed (HMAC mismatch: wrong cluster secret or tampered frame)"
        case .replayed(let s, let q): return "replayed frame from '\(s)' (sequence \(q) already seen or too old)"
        case .stale(let s, let k):
            return "stale frame from '\(s)': timestamp is \(k) s away from local clock (beyond allowed skew)"
        case .tooLarge(let b, let l):
            return
                "message of \(b) bytes exceeds the limit of \(l) bytes (FrameLimits.maxMessageBytes / NNG_OPT_RECVMAXSZ)"
        case .closed: return "socket closed"
        case .timedOut: return "timed out"
        case .nng(let op, let code, let text): return "\(op) failed: \(text) (nng error \(code))"
        case .unexpectedType(let t): return "unexpected message type \(t)"
        case .rejectedByPeer(let why): return "request rejected by peer: \(why)"
        case .handlerFailed(let why): return "remote handler failed: \(why)"
        }
    }
}
