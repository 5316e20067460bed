import CNNG
import Foundation

/// Client side of request/reply over one REQ socket. `call` is thread-safe and may run
/// concurrently from many threads (each call uses its own nng context). It blocks: call it
/// from a dedicated thread, not from Swift's cooperative pool.
public final class RequestClient: @unchecked Sendable {
    public let url: String
    public let senderId: String
    public let options: RequestClientOptions
    private let socket: NNGSocket
    private let secret: ClusterSecret
    private let limits: FrameLimits
    private let opener: FrameOpener
    private let sequences = SequenceCounter()
    /// Contexts (with their aio) reused across calls: opening and closing an
    /// nng context per call races with nng 1.5.2's context release under load
    /// ("panic: pthread_mutex_lock"), so they are pooled and closed with the socket.
    private let poolLock = NSLock()
    private var pool: [(ctx: nng_ctx, aio: NNGAio)] = []
    private var closed = false

    public init(
        url: String, secret: ClusterSecret, limits: FrameLimits, senderId: String,
        options: RequestClientOptions = RequestClientOptions()
    ) throws(WireError) {
        try FrameCodec.validateSender(senderId)
        self.url = url
        self.senderId = senderId
        self.options = options
        self.secret = secret
        self.limits = limits
        opener = FrameOpener(secret: secret, limits: limits)
        socket = try NNGSocket(
            .req, recvMaxBytes: limits.maxMessageBytes, sendTimeout: nil, recvTimeout: nil, tls: options.tls)
        do throws(WireError) {
            try socket.setDuration(NNG_OPT_REQ_RESENDTIME, seconds: options.resendTime)
            try socket.dial(url, blocking: options.blockingDial)
        } catch {
            socket.close()
            throw error
        }
    }

    deinit { close() }

    /// Seals and sends a request, waits for the reply and opens it (MAC, staleness and
    /// replay of the reply are checked too).
    ///
    /// Throws `.tooLarge` before sending a frame above `limits.maxMessageBytes`; `.timedOut`
    /// when no reply came within `timeout` (also when the server is gone); `.closed` after
    /// `close()`; `.rejectedByPeer` / `.handlerFailed` when the server refused the frame or
    /// its handler threw.
    public func call(type: UInt16, payload: [UInt8], timeout: Double? = nil) throws(WireError) -> Envelope {
        try call(type: type, payload: WirePayload(payload), timeout: timeout)
    }

    /// The same with the payload as parts (`WireMessage.encodedPayload`): large fields are copied once, into the frame.
    public func call(type: UInt16, payload: WirePayload, timeout: Double? = nil) throws(WireError) -> Envelope {
        let deadline = Date().timeIntervalSince1970 + (timeout ?? options.callTimeout)
        let request = try NNGMessage.sealed(
            type: type, payload: payload, sender: senderId, sequence: sequences.next(),
            secret: secret, limit: limits.maxMessageBytes)
        let ctx: nng_ctx
        let aio: NNGAio
        do throws(WireError) {
            (ctx, aio) = try checkout()
        } catch {
            request.free()
            throw error
        }
        defer { checkin(ctx, aio) }
        try aio.send(request, on: ctx, timeout: max(0.001, deadline - Date().timeIntervalSince1970))
        let reply = try aio.receive(on: ctx, timeout: max(0.001, deadline - Date().timeIntervalSince1970))
        defer { reply.free() }
        let envelope = try opener.open(reply.body)
        switch envelope.type {
        case WireReplyType.rejected: throw WireError.rejectedByPeer(WireReplyType.reason(from: envelope.payload))
        case WireReplyType.handlerFailed: throw WireError.handlerFailed(WireReplyType.reason(from: envelope.payload))
        default: return envelope
        }
    }

    /// Sends a message and returns the raw reply envelope (decode it with `Envelope.decode`).
    public func call<M: WireMessage>(_ message: M, timeout: Double? = nil) throws(WireError) -> Envelope {
        try call(type: M.typeCode, payload: message.encodedPayload(), timeout: timeout)
    }

    private func checkout() throws(WireError) -> (nng_ctx, NNGAio) {
        poolLock.lock()
        if closed {
            poolLock.unlock()
            throw WireError.closed
        }
        if let pooled = pool.popLast() {
            poolLock.unlock()
            return pooled
        }
        poolLock.unlock()
        return (try socket.openContext(), try NNGAio())
    }

    private func checkin(_ ctx: nng_ctx, _ aio: NNGAio) {
        poolLock.lock()
        defer { poolLock.unlock() }
        if closed { nng_ctx_close(ctx) } else { pool.append((ctx, aio)) }
    }

    /// Closes the socket; calls in progress fail with `.closed`. Returns at
    /// once: nng 1.5.2's nng_close on a REQ socket can block indefinitely
    /// (seen after a peer dropped a pipe), so the close runs on a thread of
    /// its own and never holds up the caller (or process exit).
    public func close() {
        poolLock.lock()
        let idle = closed ? [] : pool
        let wasClosed = closed
        closed = true
        pool.removeAll()
        poolLock.unlock()
        guard !wasClosed else { return }
        let socket = self.socket
        let contexts = PooledContexts(items: idle)
        let closer = Thread {
            for (ctx, _) in contexts.items { nng_ctx_close(ctx) }
            socket.close()  // itself asynchronous
            withExtendedLifetime(contexts) {}
        }
        closer.name = "ghwh-req-close"
        closer.start()
    }
}

/// Hands idle pooled contexts to the closing thread (used there only).
private final class PooledContexts: @unchecked Sendable {
    let items: [(ctx: nng_ctx, aio: NNGAio)]
    init(items: [(ctx: nng_ctx, aio: NNGAio)]) { self.items = items }
}
