import CNNG
import Foundation

/// One REP context driven by an nng aio callback: receive → hand to the handler pool →
/// (whenever the `Responder` answers) send → receive ... While a request waits for its
/// answer the context holds no thread.
///
/// The state lock is held while an operation is submitted, so `close` (which marks the
/// context stopped under the same lock before `nng_aio_stop`) never races a late
/// submission. nng 1.5.2 never runs an aio callback inside the submitting call (it
/// dispatches completions to its task queue), and runs callbacks holding no nng lock, so
/// submitting under our lock cannot deadlock with the callback taking it.
final class ServeContext: @unchecked Sendable {
    private enum State { case idle, receiving, handling, sending, stopped }

    private let ctx: nng_ctx
    private var aio: OpaquePointer?
    private let lock = NSLock()
    private var state = State.idle
    private let core: ServeCore

    init(socket: NNGSocket, core: ServeCore) throws(WireError) {
        self.core = core
        ctx = try socket.openContext()
        var made: OpaquePointer?
        let rv = nng_aio_alloc(
            &made,
            { arg in
                guard let arg else { return }
                Unmanaged<ServeContext>.fromOpaque(arg).takeUnretainedValue().completed()
            }, Unmanaged.passUnretained(self).toOpaque())
        guard rv == 0, let made else {
            nng_ctx_close(ctx)
            throw nngError(rv == 0 ? Int32(NNG_ENOMEM.rawValue) : rv, "nng_aio_alloc")
        }
        aio = made
    }

    /// Starts the first receive.
    func start() {
        lock.lock()
        defer { lock.unlock() }
        guard state == .idle, let aio else { return }
        state = .receiving
        nng_ctx_recv(ctx, aio)
    }

    /// Sends the sealed reply to the request this context holds. Returns false (and frees
    /// the message) when the context holds no request (already answered, or stopped).
    func send(_ reply: NNGMessage) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard state == .handling, let aio else {
            reply.free()
            return false
        }
        state = .sending
        nng_aio_set_msg(aio, reply.raw)
        nng_ctx_send(ctx, aio)
        return true
    }

    /// Gives up on the request (no reply could be sealed) and receives the next one.
    func abandon() {
        lock.lock()
        defer { lock.unlock() }
        guard state == .handling, let aio else { return }
        state = .receiving
        nng_ctx_recv(ctx, aio)
    }

    // MARK: teardown, in this order for every context of a socket

    /// 1. No operation is submitted any more.
    func markStopped() {
        lock.lock()
        defer { lock.unlock() }
        state = .stopped
    }

    /// 2. Cancels the operation in flight and waits for its callback (never call it
    /// holding the lock: the callback takes it).
    func stopAio() {
        if let aio = lock.withLock({ self.aio }) { nng_aio_stop(aio) }
    }

    /// 3. Closes the context and frees the aio (before the socket closes: closing an nng
    /// 1.5.2 socket under a context in use can panic).
    func release() {
        lock.lock()
        let aio = self.aio
        self.aio = nil
        lock.unlock()
        nng_ctx_close(ctx)
        if let aio {
            if let stray = nng_aio_get_msg(aio) {
                nng_aio_set_msg(aio, nil)
                nng_msg_free(stray)
            }
            nng_aio_free(aio)
        }
    }

    // MARK: the callback (on nng's threads: never blocks)

    private func completed() {
        lock.lock()
        guard let aio else {
            lock.unlock()
            return
        }
        let rv = nng_aio_result(aio)
        let terminal = rv == Int32(NNG_ECLOSED.rawValue) || rv == Int32(NNG_ECANCELED.rawValue)
        switch state {
        case .receiving:
            if rv == 0, let msg = nng_aio_get_msg(aio) {
                nng_aio_set_msg(aio, nil)
                state = .handling
                lock.unlock()
                let request = NNGMessage(raw: msg)
                core.pool.submit(
                    HandlerPool.Job(
                        run: { [self] in core.dispatch(request, on: self) },
                        drop: { request.free() }))
                return
            }
            if terminal {
                state = .stopped
                lock.unlock()
                return
            }
            nng_ctx_recv(ctx, aio)
            lock.unlock()
            core.reportLater("receive failed: \(nngError(rv, "nng_ctx_recv"))")
        case .sending:
            if rv != 0, let unsent = nng_aio_get_msg(aio) {
                nng_aio_set_msg(aio, nil)
                nng_msg_free(unsent)
            }
            if terminal {
                state = .stopped
                lock.unlock()
                return
            }
            state = .receiving
            nng_ctx_recv(ctx, aio)
            lock.unlock()
            if rv != 0 { core.reportLater("a reply could not be sent: \(nngError(rv, "nng_ctx_send"))") }
        case .stopped, .idle, .handling:
            // Stopped under an operation that completed anyway: a message still here is ours.
            if let stray = nng_aio_get_msg(aio) {
                nng_aio_set_msg(aio, nil)
                nng_msg_free(stray)
            }
            lock.unlock()
        }
    }
}
