import CNNG
import Foundation

/// A thread-safe, synchronous wrapper around one nng socket. Every blocking call must be
/// made from a dedicated thread, never from Swift's cooperative pool.
///
/// Size limits: `recvMaxBytes` is set as NNG_OPT_RECVMAXSZ (nng silently drops a bigger
/// message, so the sender never learns of it); `send` refuses anything above
/// `sendMaxBytes` with `.tooLarge(bytes:limit:)` before it reaches nng, so both sides
/// should use the same cluster-wide `FrameLimits.maxMessageBytes`.
public final class NNGSocket: @unchecked Sendable {
    public enum Kind: Sendable { case req, rep, push, pull }

    public let kind: Kind
    public let recvMaxBytes: Int
    public let sendMaxBytes: Int
    public let tls: TLSConfig?
    let handle: nng_socket
    private let lock = NSLock()
    private var closed = false
    private var afterCloseHooks: [@Sendable () -> Void] = []

    /// - Parameters:
    ///   - recvMaxBytes: NNG_OPT_RECVMAXSZ (must be > 0: an unlimited socket would accept anything).
    ///   - sendMaxBytes: largest message `send` accepts; defaults to `recvMaxBytes`.
    ///   - sendTimeout, recvTimeout: seconds, nil = wait forever.
    ///   - tls: used for `tls+tcp://` URLs passed to `listen`/`dial`.
    public init(
        _ kind: Kind, recvMaxBytes: Int, sendMaxBytes: Int? = nil, sendTimeout: Double?, recvTimeout: Double?,
        tls: TLSConfig? = nil
    ) throws(WireError) {
        guard recvMaxBytes > 0 else { throw WireError.malformed("recvMaxBytes must be positive, got \(recvMaxBytes)") }
        self.kind = kind
        self.recvMaxBytes = recvMaxBytes
        self.sendMaxBytes = sendMaxBytes ?? recvMaxBytes
        self.tls = tls
        var s = nng_socket()
        switch kind {
        case .req: try nngCheck(nng_req0_open(&s), "nng_req0_open")
        case .rep: try nngCheck(nng_rep0_open(&s), "nng_rep0_open")
        case .push: try nngCheck(nng_push0_open(&s), "nng_push0_open")
        case .pull: try nngCheck(nng_pull0_open(&s), "nng_pull0_open")
        }
        handle = s
        do throws(WireError) {
            try nngCheck(
                nng_socket_set_size(s, NNG_OPT_RECVMAXSZ, recvMaxBytes), "set NNG_OPT_RECVMAXSZ=\(recvMaxBytes)")
            try nngCheck(nng_socket_set_ms(s, NNG_OPT_SENDTIMEO, nngDuration(sendTimeout)), "set NNG_OPT_SENDTIMEO")
            try nngCheck(nng_socket_set_ms(s, NNG_OPT_RECVTIMEO, nngDuration(recvTimeout)), "set NNG_OPT_RECVTIMEO")
        } catch {
            nng_close(s)
            throw error
        }
    }

    deinit { close() }

    /// Listens on `url` (tcp://, ipc://, tls+tcp://, inproc://). Returns the bound TCP port
    /// (useful with port 0), or nil for non-TCP transports.
    @discardableResult
    public func listen(_ url: String) throws(WireError) -> Int? {
        var listener = nng_listener()
        try nngCheck(nng_listener_create(&listener, handle, url), "nng_listener_create(\(url))")
        do throws(WireError) {
            if url.hasPrefix("tls+") {
                guard let tls else { throw WireError.malformed("\(url) needs a TLSConfig") }
                let cfg = try tls.makeNNGConfig(server: true, url: url)
                defer { nng_tls_config_free(cfg) }
                try nngCheck(
                    nng_listener_set_ptr(listener, NNG_OPT_TLS_CONFIG, UnsafeMutableRawPointer(cfg)),
                    "set NNG_OPT_TLS_CONFIG on listener")
            }
            try nngCheck(
                nng_listener_set_size(listener, NNG_OPT_RECVMAXSZ, recvMaxBytes), "set listener NNG_OPT_RECVMAXSZ")
            try nngCheck(nng_listener_start(listener, 0), "listen on \(url)")
        } catch {
            nng_listener_close(listener)
            throw error
        }
        // Port 0 binds a free port: report the real one (NNG_OPT_LOCADDR; 1.5 has no bound-port option).
        var addr = nng_sockaddr()
        guard url.contains("tcp://"), nng_listener_get_addr(listener, NNG_OPT_LOCADDR, &addr) == 0 else { return nil }
        switch UInt32(addr.s_family) {
        case NNG_AF_INET.rawValue: return Int(UInt16(bigEndian: addr.s_in.sa_port))
        case NNG_AF_INET6.rawValue: return Int(UInt16(bigEndian: addr.s_in6.sa_port))
        default: return nil
        }
    }

    /// Dials `url`. Non-blocking by default: nng keeps reconnecting in the background, so a
    /// worker may start before its coordinator. `blocking: true` fails now if nobody listens.
    public func dial(_ url: String, blocking: Bool = false) throws(WireError) {
        var dialer = nng_dialer()
        try nngCheck(nng_dialer_create(&dialer, handle, url), "nng_dialer_create(\(url))")
        do throws(WireError) {
            if url.hasPrefix("tls+") {
                let cfg = try (tls ?? TLSConfig()).makeNNGConfig(server: false, url: url)
                defer { nng_tls_config_free(cfg) }
                try nngCheck(
                    nng_dialer_set_ptr(dialer, NNG_OPT_TLS_CONFIG, UnsafeMutableRawPointer(cfg)),
                    "set NNG_OPT_TLS_CONFIG on dialer")
            }
            try nngCheck(nng_dialer_set_size(dialer, NNG_OPT_RECVMAXSZ, recvMaxBytes), "set dialer NNG_OPT_RECVMAXSZ")
            try nngCheck(nng_dialer_start(dialer, blocking ? 0 : Int32(NNG_FLAG_NONBLOCK)), "dial \(url)")
        } catch {
            nng_dialer_close(dialer)
            throw error
        }
    }

    /// Sets a duration option (e.g. NNG_OPT_REQ_RESENDTIME) in seconds.
    public func setDuration(_ option: String, seconds: Double?) throws(WireError) {
        try nngCheck(nng_socket_set_ms(handle, option, nngDuration(seconds)), "set \(option)")
    }

    /// Sends raw bytes (copied once into nng). `.tooLarge` above `sendMaxBytes`.
    public func send(_ bytes: [UInt8]) throws(WireError) {
        guard bytes.count <= sendMaxBytes else { throw WireError.tooLarge(bytes: bytes.count, limit: sendMaxBytes) }
        try send(message: NNGMessage.copying(bytes))
    }

    /// Seals and sends one frame (payload copied once, into nng's message).
    public func sendFrame(type: UInt16, payload: [UInt8], sender: String, sequence: UInt64, secret: ClusterSecret)
        throws(WireError)
    {
        try send(
            message: NNGMessage.sealed(
                type: type, payload: payload, sender: sender, sequence: sequence,
                secret: secret, limit: sendMaxBytes))
    }

    /// Receives one message (copied once out of nng's buffer).
    public func receive() throws(WireError) -> [UInt8] {
        let msg = try receiveMessage()
        defer { msg.free() }
        return Array(msg.body)
    }

    /// Receives one frame and opens it in place (only the payload is copied).
    public func receiveFrame(_ opener: FrameOpener) throws(WireError) -> Envelope {
        let msg = try receiveMessage()
        defer { msg.free() }
        return try opener.open(msg.body)
    }

    /// Closes the socket; blocked calls return `.closed`. Idempotent. Returns
    /// at once: nng 1.5.2's nng_close can block indefinitely (seen with REQ
    /// sockets after resends or a dropped pipe), so it runs on a thread of its
    /// own and never holds up the caller.
    public func close() {
        lock.lock()
        let wasClosed = closed
        closed = true
        lock.unlock()
        guard !wasClosed else { return }
        let handle = self.handle
        let after = lock.withLock { afterCloseHooks }
        let closer = Thread {
            _ = nng_close(handle)
            for hook in after { hook() }
        }
        closer.name = "ghwh-nng-close"
        closer.start()
    }

    /// Runs `hook` on the closing thread once nng_close has returned (from then on nng
    /// calls no callback registered on this socket, so their context may go).
    func afterClose(_ hook: @escaping @Sendable () -> Void) {
        lock.withLock { afterCloseHooks.append(hook) }
    }

    func send(message: NNGMessage) throws(WireError) {
        let rv = nng_sendmsg(handle, message.raw, 0)
        if rv != 0 {
            message.free()  // still ours after a failed send
            throw nngError(rv, "nng_sendmsg")
        }
    }

    func receiveMessage() throws(WireError) -> NNGMessage {
        var msg: OpaquePointer?
        try nngCheck(nng_recvmsg(handle, &msg, 0), "nng_recvmsg")
        guard let msg else { throw WireError.nng("nng_recvmsg", 0, "no message") }
        return NNGMessage(raw: msg)
    }

    /// Opens a context (REQ/REP) for concurrent use of one socket.
    func openContext() throws(WireError) -> nng_ctx {
        var ctx = nng_ctx()
        try nngCheck(nng_ctx_open(&ctx, handle), "nng_ctx_open")
        return ctx
    }
}
