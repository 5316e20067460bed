import Foundation

/// Sealed one-way messages over PUSH (e.g. worker → loader results).
///
/// nng drops messages still queued when a PUSH socket closes (docs/operations.md#nng): a sender that
/// must not lose data needs an application-level acknowledgement before `close()`.
public final class PushSender: @unchecked Sendable {
    public let senderId: String
    private let socket: NNGSocket
    private let secret: ClusterSecret
    private let sequences = SequenceCounter()

    /// - Parameter sendTimeout: seconds a `send` may wait for a connected puller (nil = forever).
    public init(
        url: String, secret: ClusterSecret, limits: FrameLimits, senderId: String, listen: Bool = false,
        sendTimeout: Double? = 30, tls: TLSConfig? = nil
    ) throws(WireError) {
        try FrameCodec.validateSender(senderId)
        self.senderId = senderId
        self.secret = secret
        socket = try NNGSocket(
            .push, recvMaxBytes: limits.maxMessageBytes, sendTimeout: sendTimeout, recvTimeout: nil, tls: tls)
        do throws(WireError) {
            if listen { try socket.listen(url) } else { try socket.dial(url) }
        } catch {
            socket.close()
            throw error
        }
    }

    deinit { close() }

    public func send(type: UInt16, payload: [UInt8]) throws(WireError) {
        try socket.sendFrame(type: type, payload: payload, sender: senderId, sequence: sequences.next(), secret: secret)
    }

    public func send<M: WireMessage>(_ message: M) throws(WireError) {
        try send(type: M.typeCode, payload: message.encoded())
    }

    public func close() { socket.close() }
}

/// Receives sealed messages on PULL. Frames that fail authentication, replay or staleness
/// checks are reported to `onRejected` and skipped; `receive` never returns them.
public final class PullReceiver: @unchecked Sendable {
    private let socket: NNGSocket
    private let opener: FrameOpener
    private let onRejected: @Sendable (String) -> Void
    /// Bound TCP port when listening on tcp:// port 0.
    public let boundPort: Int?

    public init(
        url: String, secret: ClusterSecret, limits: FrameLimits, listen: Bool = true,
        receiveTimeout: Double? = nil, tls: TLSConfig? = nil,
        onRejected: @escaping @Sendable (String) -> Void
    ) throws(WireError) {
        opener = FrameOpener(secret: secret, limits: limits)
        self.onRejected = onRejected
        socket = try NNGSocket(
            .pull, recvMaxBytes: limits.maxMessageBytes, sendTimeout: nil, recvTimeout: receiveTimeout, tls: tls)
        do throws(WireError) {
            boundPort = listen ? try socket.listen(url) : nil
            if !listen { try socket.dial(url) }
        } catch {
            socket.close()
            throw error
        }
    }

    deinit { close() }

    /// Next authenticated message; `.timedOut` after the receive timeout, `.closed` after `close()`.
    public func receive() throws(WireError) -> Envelope {
        while true {
            let msg = try socket.receiveMessage()
            defer { msg.free() }
            do {
                return try opener.open(msg.body)
            } catch {
                onRejected("refused message of \(msg.body.count) bytes from \(msg.peerDescription): \(error)")
            }
        }
    }

    public func close() { socket.close() }
}
