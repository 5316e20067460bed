import CNNG
import Foundation

/// Server side of request/reply: `threads` dedicated threads, each with its own nng
/// context on one REP socket, so that many clients are served concurrently.
///
/// Every request frame goes through `FrameOpener` (MAC, size, staleness, replay). A frame
/// that fails is reported to `onRejected` and answered with a sealed `WireReplyType.rejected`
/// reply naming the reason, so the context is immediately free for the next request and an
/// honest but misconfigured client gets a clear error instead of a timeout. A frame above
/// `limits.maxMessageBytes` never reaches us (nng drops it, NNG_OPT_RECVMAXSZ). A handler
/// that throws is answered with `WireReplyType.handlerFailed`. Handlers must be idempotent
/// (see `ReplayGuard` on REQ re-sends). Handlers run on the server's own threads, blocking is fine.
public final class RequestServer: @unchecked Sendable {
    public let url: String
    /// The TCP port actually bound (meaningful when `url` used port 0).
    public let boundPort: Int?
    public let senderId: String
    private let socket: NNGSocket
    private var workers: [JoinableThread] = []
    private var loops: [ServeLoop] = []
    private let lock = NSLock()
    private var closed = false

    public convenience init(url: String, secret: ClusterSecret, limits: FrameLimits, threads: Int = 4, senderId: String,
                            tls: TLSConfig? = nil,
                            onRejected: @escaping @Sendable (String) -> Void,
                            handler: @escaping @Sendable (Envelope) throws -> (UInt16, [UInt8])) throws(WireError) {
        try self.init(url: url, secret: secret, limits: limits, threads: threads, senderId: senderId, tls: tls,
                      onRejected: onRejected, partsHandler: { envelope in
                          let (type, payload) = try handler(envelope)
                          return (type, WirePayload(payload))
                      })
    }

    /// The same with a handler that answers with payload parts
    /// (`WireMessage.encodedPayload`), sealed with one copy of each part.
    public init(url: String, secret: ClusterSecret, limits: FrameLimits, threads: Int = 4, senderId: String,
                tls: TLSConfig? = nil,
                onRejected: @escaping @Sendable (String) -> Void,
                partsHandler handler: @escaping @Sendable (Envelope) throws -> (UInt16, WirePayload)) throws(WireError) {
        try FrameCodec.validateSender(senderId)
        guard threads >= 1 else { throw WireError.malformed("RequestServer needs at least 1 thread, got \(threads)") }
        self.url = url
        self.senderId = senderId
        socket = try NNGSocket(.rep, recvMaxBytes: limits.maxMessageBytes, sendTimeout: nil, recvTimeout: nil, tls: tls)
        let loops: [ServeLoop]
        do throws(WireError) {
            boundPort = try socket.listen(url)
            let opener = FrameOpener(secret: secret, limits: limits)
            let sequences = SequenceCounter()
            var made: [ServeLoop] = []
            for _ in 0 ..< threads {
                made.append(try ServeLoop(ctx: socket.openContext(), aio: NNGAio(), opener: opener, sequences: sequences,
                                          senderId: senderId, onRejected: onRejected, handler: handler))
            }
            loops = made
        } catch {
            socket.close()
            throw error
        }
        self.loops = loops
        workers = loops.enumerated().map { i, loop in JoinableThread(name: "ghwh-rep-\(i)") { loop.run() } }
    }

    deinit { close() }

    /// Closes the socket and joins the worker threads (a handler running now finishes first).
    /// Do not call it from inside a handler: it would wait for itself.
    public func close() {
        lock.lock()
        let wasClosed = closed
        closed = true
        lock.unlock()
        guard !wasClosed else { return }
        // Stop every loop (cancelling its pending receive or send) and let its
        // thread end before the socket closes: closing a socket under a context
        // in use can panic inside nng 1.5.2.
        for loop in loops { loop.stop() }
        for w in workers { w.join() }
        socket.close()
    }
}

/// One server thread's loop over its own REP context.
private final class ServeLoop: @unchecked Sendable {
    let ctx: nng_ctx
    let aio: NNGAio
    let opener: FrameOpener
    let sequences: SequenceCounter
    let senderId: String
    let onRejected: @Sendable (String) -> Void
    let handler: @Sendable (Envelope) throws -> (UInt16, WirePayload)

    init(ctx: nng_ctx, aio: NNGAio, opener: FrameOpener, sequences: SequenceCounter, senderId: String,
         onRejected: @escaping @Sendable (String) -> Void,
         handler: @escaping @Sendable (Envelope) throws -> (UInt16, WirePayload)) {
        self.ctx = ctx; self.aio = aio; self.opener = opener; self.sequences = sequences
        self.senderId = senderId; self.onRejected = onRejected; self.handler = handler
    }

    private let stopLock = NSLock()
    private var stopped = false

    /// Ends `run`: marks it stopped and cancels the operation it waits on.
    func stop() {
        stopLock.lock(); stopped = true; stopLock.unlock()
        nng_aio_stop(aio.raw)
    }

    private var isStopped: Bool { stopLock.lock(); defer { stopLock.unlock() }; return stopped }

    func run() {
        defer { nng_ctx_close(ctx) }
        while !isStopped {
            let request: NNGMessage
            do {
                request = try aio.receive(on: ctx, timeout: nil)
            } catch .closed {
                return
            } catch {
                onRejected("receive failed: \(error)")
                continue
            }
            let (type, payload) = answer(request)
            do {
                let reply = try seal(type, payload)
                try aio.send(reply, on: ctx, timeout: nil)
            } catch .closed {
                return
            } catch {
                onRejected("reply of type \(type) could not be sent: \(error)")
            }
        }
    }

    /// Opens, checks and handles one request; never throws (every failure becomes a reply).
    private func answer(_ request: NNGMessage) -> (UInt16, WirePayload) {
        defer { request.free() }
        let envelope: Envelope
        do {
            envelope = try opener.open(request.body)
        } catch {
            let reason = "\(error)"
            onRejected("refused request of \(request.body.count) bytes from \(request.peerDescription): \(reason)")
            return (WireReplyType.rejected, WirePayload(WireReplyType.reasonPayload(reason)))
        }
        do {
            return try handler(envelope)
        } catch {
            return (WireReplyType.handlerFailed, WirePayload(WireReplyType.reasonPayload("\(error)")))
        }
    }

    /// Seals the reply; one too large for the limit is replaced by a handlerFailed naming it.
    private func seal(_ type: UInt16, _ payload: WirePayload) throws(WireError) -> NNGMessage {
        let limit = opener.limits.maxMessageBytes
        do {
            return try NNGMessage.sealed(type: type, payload: payload, sender: senderId, sequence: sequences.next(),
                                         secret: opener.secret, limit: limit)
        } catch .tooLarge(let bytes, let limit) {
            let why = "reply of type \(type) is \(bytes) bytes, above the \(limit)-byte message limit"
            onRejected(why)
            return try NNGMessage.sealed(type: WireReplyType.handlerFailed, payload: WireReplyType.reasonPayload(why),
                                         sender: senderId, sequence: sequences.next(), secret: opener.secret, limit: limit)
        }
    }
}
