/// Message type codes the wire layer itself uses in replies (0xFF00...0xFFFF are reserved).
public enum WireReplyType {
    /// The server refused the request frame (authentication, replay, staleness, malformed);
    /// payload: one `string`, the reason. The client throws `.rejectedByPeer(reason)`.
    public static let rejected: UInt16 = 0xFFFF
    /// The handler threw; payload: one `string`, the error. The client throws `.handlerFailed`.
    public static let handlerFailed: UInt16 = 0xFFFE

    static func reasonPayload(_ text: String) -> [UInt8] {
        var w = WireWriter()
        w.string(String(text.prefix(4096)))
        return w.bytes
    }

    static func reason(from payload: [UInt8]) -> String {
        var r = WireReader(payload)
        return (try? r.string("reason")) ?? "(unreadable reason)"
    }
}

/// Knobs of the request/reply client, with the defaults used when not given.
public struct RequestClientOptions: Sendable {
    /// NNG_OPT_REQ_RESENDTIME: an unanswered request is sent again after this many seconds
    /// (nng's default is 60). The server answers such a re-send again (the handler runs again,
    /// `Envelope.isRetransmission` is true), so handlers must be idempotent.
    public var resendTime: Double = 60
    /// Default per-call timeout in seconds.
    public var callTimeout: Double = 30
    /// Dial synchronously (fail now if the server is not there) instead of in the background.
    public var blockingDial: Bool = false
    public var tls: TLSConfig?

    public init(resendTime: Double = 60, callTimeout: Double = 30, blockingDial: Bool = false, tls: TLSConfig? = nil) {
        self.resendTime = resendTime
        self.callTimeout = callTimeout
        self.blockingDial = blockingDial
        self.tls = tls
    }
}
