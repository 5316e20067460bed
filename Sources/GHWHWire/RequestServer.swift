import CNNG
import Foundation

/// Server side of request/reply over one REP socket.
///
/// Requests are received by `maxOutstanding` nng contexts, each driven by an aio callback
/// (no thread per context), and handled on `handlerThreads` threads of the server's own.
/// The deferred API hands the handler a `Responder` it may answer later from any thread:
/// a long poll then holds a context, not a thread. The synchronous APIs (`handler:`,
/// `partsHandler:`) answer with what the handler returns, on the handler thread.
///
/// Every request frame goes through `FrameOpener` (MAC, size, staleness, replay). A frame
/// that fails is reported to `onRejected` and answered with a sealed `WireReplyType.rejected`
/// reply naming the reason, so the context is immediately free for the next request and an
/// honest but misconfigured client gets a clear error instead of a timeout. A frame above
/// `limits.maxMessageBytes` never reaches us (nng drops it, NNG_OPT_RECVMAXSZ). A handler
/// that throws is answered with `WireReplyType.handlerFailed`. Handlers must be idempotent
/// (see `ReplayGuard` on REQ re-sends).
///
/// Threading: handlers and `onPeerGone` run on the handler threads, where blocking and
/// taking locks is fine (a blocked thread delays the requests queued behind it, so long
/// polls must defer instead); so does `onRejected`, except for a reply too large for the
/// limit, reported on the thread answering it. Requests beyond `maxOutstanding` wait in
/// nng. nng's own threads only run the aio callbacks and pipe notifications, which never
/// block and never call user code. A request held longer than the client's REQ resend
/// time (`RequestClientOptions.resendTime`, 60 s) is re-sent by nng and arrives again on
/// another context, marked `isRetransmission`; the caller takes whichever answer comes first.
///
/// Peer-gone: the server tracks over which connections (nng pipes) each authenticated
/// sender has sent requests. When a connection closes and its sender has no other open
/// connection it was seen on, `onPeerGone(sender)` is called once. Unauthenticated peers
/// are never reported, nor are peers that never sent a request; a sender that reconnected
/// (and sent a request over the new connection) is not reported when the old one closes.
/// Nothing is reported once `close()` has begun. A request may still be outstanding (or
/// even be handled after) its sender was reported gone: answering it is harmless.
public final class RequestServer: @unchecked Sendable {
    public let url: String
    /// The TCP port actually bound (meaningful when `url` used port 0).
    public let boundPort: Int?
    public let senderId: String
    private let socket: NNGSocket
    private let core: ServeCore
    private let contexts: [ServeContext]
    private let lock = NSLock()
    private var closed = false

    /// Synchronous replies: `handler` runs on one of `threads` handler threads and its
    /// result (or error, as `handlerFailed`) is the answer.
    public convenience init(
        url: String, secret: ClusterSecret, limits: FrameLimits, threads: Int = 4,
        maxOutstanding: Int = 1024, senderId: String, tls: TLSConfig? = nil,
        onRejected: @escaping @Sendable (String) -> Void,
        onPeerGone: @escaping @Sendable (String) -> Void = { _ in },
        handler: @escaping @Sendable (Envelope) throws -> (UInt16, [UInt8])
    ) throws(WireError) {
        try self.init(
            url: url, secret: secret, limits: limits, threads: threads, maxOutstanding: maxOutstanding,
            senderId: senderId, tls: tls, onRejected: onRejected, onPeerGone: onPeerGone,
            partsHandler: { envelope in
                let (type, payload) = try handler(envelope)
                return (type, WirePayload(payload))
            })
    }

    /// The same with a handler that answers with payload parts
    /// (`WireMessage.encodedPayload`), sealed with one copy of each part.
    public convenience init(
        url: String, secret: ClusterSecret, limits: FrameLimits, threads: Int = 4,
        maxOutstanding: Int = 1024, senderId: String, tls: TLSConfig? = nil,
        onRejected: @escaping @Sendable (String) -> Void,
        onPeerGone: @escaping @Sendable (String) -> Void = { _ in },
        partsHandler handler: @escaping @Sendable (Envelope) throws -> (UInt16, WirePayload)
    ) throws(WireError) {
        try self.init(
            url: url, secret: secret, limits: limits, handlerThreads: threads, maxOutstanding: maxOutstanding,
            senderId: senderId, tls: tls, onRejected: onRejected, onPeerGone: onPeerGone,
            deferredHandler: { envelope, responder in
                do {
                    let (type, payload) = try handler(envelope)
                    responder.reply(type, payload)
                } catch {
                    responder.fail("\(error)")
                }
            })
    }

    /// Deferred replies: `deferredHandler` runs on a handler thread with the opened request
    /// and its `Responder`, and returns at once; the request is answered whenever (and from
    /// whatever thread) the responder is answered. See `Responder` for what happens to one
    /// never answered.
    ///
    /// - Parameters:
    ///   - handlerThreads: threads running handlers and callbacks (at least 1).
    ///   - maxOutstanding: nng contexts, i.e. requests received and not yet answered at once
    ///     (at least 1); independent of the thread count.
    ///   - onPeerGone: an authenticated sender's last connection closed (see the type's notes).
    public init(
        url: String, secret: ClusterSecret, limits: FrameLimits, handlerThreads: Int = 4,
        maxOutstanding: Int = 1024, senderId: String, tls: TLSConfig? = nil,
        onRejected: @escaping @Sendable (String) -> Void,
        onPeerGone: @escaping @Sendable (String) -> Void = { _ in },
        deferredHandler: @escaping @Sendable (Envelope, Responder) -> Void
    ) throws(WireError) {
        try FrameCodec.validateSender(senderId)
        guard handlerThreads >= 1 else {
            throw WireError.malformed("RequestServer needs at least 1 handler thread, got \(handlerThreads)")
        }
        guard maxOutstanding >= 1 else {
            throw WireError.malformed("RequestServer needs maxOutstanding >= 1, got \(maxOutstanding)")
        }
        self.url = url
        self.senderId = senderId
        socket = try NNGSocket(.rep, recvMaxBytes: limits.maxMessageBytes, sendTimeout: nil, recvTimeout: nil, tls: tls)
        core = ServeCore(
            opener: FrameOpener(secret: secret, limits: limits), senderId: senderId,
            handlerThreads: handlerThreads, onRejected: onRejected, onPeerGone: onPeerGone,
            handler: deferredHandler)
        var made: [ServeContext] = []
        do throws(WireError) {
            try core.peers.attach(to: socket)  // before listening: every pipe is seen from its start
            for _ in 0..<maxOutstanding { made.append(try ServeContext(socket: socket, core: core)) }
            boundPort = try socket.listen(url)
        } catch {
            Self.teardown(core: core, contexts: made, socket: socket)
            throw error
        }
        contexts = made
        for context in made { context.start() }
    }

    deinit { close() }

    /// Open connections (nng pipes) at this moment, authenticated or not.
    public var openConnections: Int { core.peers.openConnections }

    /// Open connections over which `sender` has sent authenticated requests.
    public func connectionCount(of sender: String) -> Int { core.peers.connectionCount(of: sender) }

    /// Stops serving: outstanding responders are dropped (their answers return false, the
    /// callers time out), handlers running now finish first (except the one calling close,
    /// which may call it), then the contexts and the socket close. Safe to call twice
    /// (a second call returns at once, possibly before the first has finished).
    public func close() {
        let wasClosed = lock.withLock {
            defer { closed = true }
            return closed
        }
        guard !wasClosed else { return }
        Self.teardown(core: core, contexts: contexts, socket: socket)
    }

    /// nng 1.5.2 order: no new submissions, every aio stopped (waiting for its callback),
    /// handler threads joined, contexts closed, and only then the socket: closing a socket
    /// under a context in use can panic inside nng.
    private static func teardown(core: ServeCore, contexts: [ServeContext], socket: NNGSocket) {
        core.peers.beginClosing()
        for context in contexts { context.markStopped() }
        for context in contexts { context.stopAio() }
        core.pool.stop()
        for context in contexts { context.release() }
        socket.close()
    }
}
