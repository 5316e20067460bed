import CNNG
import Foundation

/// The answer slot of one authenticated request held by a `RequestServer` (deferred API).
///
/// Answer exactly once, from any thread, now or later: `reply` or `fail`. The reply is
/// sealed on the calling thread (a 16 MB task costs its MAC there) and handed to nng
/// without blocking. Later answers are ignored and return false.
///
/// While unanswered, the request occupies one of the server's `maxOutstanding` nng
/// contexts (but no thread). A responder released unanswered answers by itself with
/// `handlerFailed("request dropped by the server without an answer")`, so a forgotten
/// responder frees its context instead of leaking it. After the server's `close()` every
/// answer is dropped (returns false). The client's own call timeout is independent:
/// a caller that gave up does not free the context; only the answer (or the drop) does.
///
/// Answering never blocks on I/O (it may be called from Swift's cooperative pool or while
/// holding a lock); its cost is sealing the reply. A responder keeps the server's handler
/// closure alive, so a handler should capture its owner weakly or unowned.
public final class Responder: @unchecked Sendable {
    /// The authenticated sender of the request (`Envelope.sender`).
    public let sender: String
    /// nng's id of the connection (pipe) the request came over.
    public let connectionId: UInt32
    private let context: ServeContext
    private let core: ServeCore
    private let lock = NSLock()
    private var answered = false

    init(sender: String, connectionId: UInt32, context: ServeContext, core: ServeCore) {
        self.sender = sender
        self.connectionId = connectionId
        self.context = context
        self.core = core
    }

    deinit {
        if !answered {
            _ = answer(
                WireReplyType.handlerFailed,
                WirePayload(WireReplyType.reasonPayload("request dropped by the server without an answer")))
        }
    }

    /// True once `reply` or `fail` was called.
    public var isAnswered: Bool { lock.withLock { answered } }

    /// False when the connection the request came over has closed (an answer would be
    /// discarded by nng); the sender may still be connected over another one.
    public var isConnectionOpen: Bool { core.peers.isOpen(connectionId) }

    /// Answers with `type` and `payload` parts. A reply above the frame limit is replaced by
    /// `handlerFailed` naming the size (and reported to `onRejected`), as in the synchronous API.
    /// Returns false when nothing was sent: already answered, or the server is closed.
    @discardableResult
    public func reply(_ type: UInt16, _ payload: WirePayload) -> Bool {
        guard claim() else { return false }
        return answer(type, payload)
    }

    @discardableResult
    public func reply(_ type: UInt16, _ payload: [UInt8]) -> Bool { reply(type, WirePayload(payload)) }

    @discardableResult
    public func reply<M: WireMessage>(_ message: M) -> Bool { reply(M.typeCode, message.encodedPayload()) }

    /// Answers with `handlerFailed(message)`: the client's call throws `.handlerFailed(message)`.
    @discardableResult
    public func fail(_ message: String) -> Bool {
        reply(WireReplyType.handlerFailed, WirePayload(WireReplyType.reasonPayload(message)))
    }

    private func claim() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        if answered { return false }
        answered = true
        return true
    }

    private func answer(_ type: UInt16, _ payload: WirePayload) -> Bool {
        guard let message = core.seal(type, payload) else {
            context.abandon()
            return false
        }
        return context.send(message)
    }
}

/// What all contexts of one server share: frame checks, sealing, the handler, its
/// threads and the peer tracker.
final class ServeCore: @unchecked Sendable {
    let opener: FrameOpener
    let sequences = SequenceCounter()
    let senderId: String
    let onRejected: @Sendable (String) -> Void
    let handler: @Sendable (Envelope, Responder) -> Void
    let pool: HandlerPool
    let peers: PeerTracker

    init(
        opener: FrameOpener, senderId: String, handlerThreads: Int, onRejected: @escaping @Sendable (String) -> Void,
        onPeerGone: @escaping @Sendable (String) -> Void, handler: @escaping @Sendable (Envelope, Responder) -> Void
    ) {
        self.opener = opener
        self.senderId = senderId
        self.onRejected = onRejected
        self.handler = handler
        let pool = HandlerPool(threads: handlerThreads, name: "ghwh-rep")
        self.pool = pool
        // Pipe events arrive on nng's threads: the user's callback runs on a handler thread.
        peers = PeerTracker(report: { sender in pool.submit { onPeerGone(sender) } })
    }

    /// On a handler thread: opens and checks the request, then hands it to the handler.
    /// A frame that fails is answered at once with `rejected` naming the reason.
    func dispatch(_ request: NNGMessage, on context: ServeContext) {
        let pipe = nng_msg_get_pipe(request.raw)
        let envelope: Envelope
        do {
            envelope = try opener.open(request.body)
        } catch {
            let reason = "\(error)"
            onRejected("refused request of \(request.body.count) bytes from \(request.peerDescription): \(reason)")
            request.free()
            if let reply = seal(WireReplyType.rejected, WirePayload(WireReplyType.reasonPayload(reason))) {
                _ = context.send(reply)
            } else {
                context.abandon()
            }
            return
        }
        request.free()
        peers.saw(envelope.sender, on: pipe.id)
        handler(envelope, Responder(sender: envelope.sender, connectionId: pipe.id, context: context, core: self))
    }

    /// Seals a reply; one too large for the limit becomes a handlerFailed naming it. Nil
    /// (reported) when not even that could be sealed.
    func seal(_ type: UInt16, _ payload: WirePayload) -> NNGMessage? {
        let limit = opener.limits.maxMessageBytes
        do {
            do {
                return try NNGMessage.sealed(
                    type: type, payload: payload, sender: senderId, sequence: sequences.next(),
                    secret: opener.secret, limit: limit)
            } catch .tooLarge(let bytes, let limit) {
                let why = "reply of type \(type) is \(bytes) bytes, above the \(limit)-byte message limit"
                onRejected(why)
                return try NNGMessage.sealed(
                    type: WireReplyType.handlerFailed, payload: WirePayload(WireReplyType.reasonPayload(why)),
                    sender: senderId, sequence: sequences.next(), secret: opener.secret, limit: limit)
            }
        } catch {
            onRejected("reply of type \(type) could not be sent: \(error)")
            return nil
        }
    }

    /// Reports to `onRejected` from a handler thread (nng callbacks must not run user code).
    func reportLater(_ text: String) {
        let onRejected = self.onRejected
        pool.submit { onRejected(text) }
    }
}
