import CNNG
import Foundation

/// Maps an nng return code to `WireError`: timeouts and closed sockets get their own
/// cases, anything else keeps the operation name, code and nng's own text.
@inline(__always)
func nngCheck(_ rv: Int32, _ op: @autoclosure () -> String) throws(WireError) {
    if rv != 0 { throw nngError(rv, op()) }
}

func nngError(_ rv: Int32, _ op: String) -> WireError {
    switch rv {
    case Int32(NNG_ETIMEDOUT.rawValue): return .timedOut
    case Int32(NNG_ECLOSED.rawValue): return .closed
    default: return .nng(op, rv, String(cString: nng_strerror(rv)))
    }
}

/// Seconds → nng milliseconds; nil means "no timeout".
func nngDuration(_ seconds: Double?) -> nng_duration {
    guard let seconds else { return -1 }  // NNG_DURATION_INFINITE
    return nng_duration(clamping: Int64((max(0, seconds) * 1000).rounded(.up)))
}

/// An owned nng message. Sending hands ownership to nng; otherwise `free()` releases it.
struct NNGMessage {
    let raw: OpaquePointer

    /// A message holding a sealed frame; the payload is copied once, straight into nng's buffer.
    /// Refuses a frame above `limit` with `.tooLarge` naming the limit.
    static func sealed(
        type: UInt16, flags: UInt16 = 0, payload: [UInt8], sender: String, sequence: UInt64,
        secret: ClusterSecret, limit: Int
    ) throws(WireError) -> NNGMessage {
        try sealed(
            type: type, flags: flags, payload: WirePayload(payload), sender: sender, sequence: sequence, secret: secret,
            limit: limit)
    }

    /// The same with the payload as parts (`WireMessage.encodedPayload`).
    static func sealed(
        type: UInt16, flags: UInt16 = 0, payload: WirePayload, sender: String, sequence: UInt64,
        secret: ClusterSecret, limit: Int
    ) throws(WireError) -> NNGMessage {
        var payload = payload
        try FrameCodec.validateSender(sender)
        // Digests only for non-empty parts and at most the table's limit; other parts are hashed as usual.
        var kept = 0
        for i in payload.parts.indices where payload.parts[i].sha256 != nil {
            if payload.parts[i].bytes.isEmpty || kept == FrameCodec.maxDigestedParts {
                payload.parts[i].sha256 = nil
            } else {
                kept += 1
            }
        }
        let payloadCount = payload.count
        guard payloadCount <= Int(UInt32.max) else {
            throw WireError.tooLarge(bytes: payloadCount, limit: Int(UInt32.max))
        }
        let size = FrameCodec.frameSize(payloadCount: payloadCount, sender: sender, digestedParts: kept)
        guard size <= limit else { throw WireError.tooLarge(bytes: size, limit: limit) }
        var msg: OpaquePointer?
        try nngCheck(nng_msg_alloc(&msg, size), "nng_msg_alloc(\(size))")
        guard let msg else { throw WireError.nng("nng_msg_alloc", 0, "returned no message") }
        let body = UnsafeMutableRawBufferPointer(start: nng_msg_body(msg), count: size)
        FrameCodec.sealUnchecked(
            into: body, type: type, flags: flags, payload: payload, sender: sender,
            sequence: sequence, timestamp: WallClock.nowMillis(), secret: secret)
        return NNGMessage(raw: msg)
    }

    static func copying(_ bytes: [UInt8]) throws(WireError) -> NNGMessage {
        var msg: OpaquePointer?
        try nngCheck(nng_msg_alloc(&msg, bytes.count), "nng_msg_alloc(\(bytes.count))")
        guard let msg else { throw WireError.nng("nng_msg_alloc", 0, "returned no message") }
        bytes.withUnsafeBytes { src in
            if let base = src.baseAddress { nng_msg_body(msg).copyMemory(from: base, byteCount: src.count) }
        }
        return NNGMessage(raw: msg)
    }

    var body: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: nng_msg_body(raw), count: nng_msg_len(raw))
    }

    func free() { nng_msg_free(raw) }

    /// "tcp 127.0.0.1:54321" style description of the peer, for logs.
    var peerDescription: String {
        let pipe = nng_msg_get_pipe(raw)
        var addr = nng_sockaddr()
        guard nng_pipe_get_addr(pipe, NNG_OPT_REMADDR, &addr) == 0 else { return "pipe #\(pipe.id)" }
        switch UInt32(addr.s_family) {
        case NNG_AF_INET.rawValue:
            let a = UInt32(bigEndian: addr.s_in.sa_addr)
            let port = UInt16(bigEndian: addr.s_in.sa_port)
            return "\(a >> 24).\((a >> 16) & 255).\((a >> 8) & 255).\(a & 255):\(port) (pipe #\(pipe.id))"
        case NNG_AF_IPC.rawValue: return "ipc peer (pipe #\(pipe.id))"
        default: return "peer (pipe #\(pipe.id))"
        }
    }
}

/// One synchronous nng async-I/O handle, used by a single thread at a time.
final class NNGAio {
    let raw: OpaquePointer

    init() throws(WireError) {
        var aio: OpaquePointer?
        try nngCheck(nng_aio_alloc(&aio, nil, nil), "nng_aio_alloc")
        guard let aio else { throw WireError.nng("nng_aio_alloc", 0, "returned no aio") }
        raw = aio
    }

    deinit { nng_aio_free(raw) }

    /// Sends on a context and waits; on failure the message is still ours and is freed.
    func send(_ msg: NNGMessage, on ctx: nng_ctx, timeout: Double?) throws(WireError) {
        nng_aio_set_timeout(raw, nngDuration(timeout))
        nng_aio_set_msg(raw, msg.raw)
        nng_ctx_send(ctx, raw)
        nng_aio_wait(raw)
        let rv = nng_aio_result(raw)
        if rv != 0 {
            msg.free()
            throw nngError(rv, "nng_ctx_send")
        }
    }

    /// Receives on a context and waits; the caller owns (and frees) the message.
    func receive(on ctx: nng_ctx, timeout: Double?) throws(WireError) -> NNGMessage {
        nng_aio_set_timeout(raw, nngDuration(timeout))
        nng_ctx_recv(ctx, raw)
        nng_aio_wait(raw)
        try nngCheck(nng_aio_result(raw), "nng_ctx_recv")
        guard let msg = nng_aio_get_msg(raw) else { throw WireError.nng("nng_ctx_recv", 0, "no message") }
        return NNGMessage(raw: msg)
    }
}

/// A dedicated OS thread (blocking nng calls must stay off Swift's cooperative pool)
/// that can be joined.
final class JoinableThread: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)

    init(name: String, _ body: @escaping @Sendable () -> Void) {
        let done = self.done
        let thread = Thread {
            #if os(Linux)
                // Foundation on Linux keeps the name to itself: give it to the OS thread (seen in
                // /proc/<pid>/task/*/comm, top -H, debuggers; 15 bytes). pthread_setname_np
                // does not import without _GNU_SOURCE.
                try? String(decoding: name.utf8.prefix(15), as: UTF8.self)
                    .write(toFile: "/proc/thread-self/comm", atomically: false, encoding: .utf8)
            #endif
            body()
            done.signal()
        }
        thread.name = name
        thread.stackSize = 1 << 20
        thread.start()
    }

    func join() { done.wait() }
}
