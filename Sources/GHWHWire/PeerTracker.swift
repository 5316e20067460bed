import CNNG
import Foundation

/// Which authenticated senders were seen on which nng pipes (connections) of one
/// server socket, so that the server can say at once when a sender's last connection
/// closed instead of waiting for a heartbeat timeout.
///
/// Fed by nng pipe notifications (ADD_PRE, REM_POST) and by every authenticated request.
/// ADD_PRE runs before the pipe can deliver a message, so a request from a pipe that is
/// not open means the pipe was already removed (its REM_POST ran before the request was
/// handled): such a sender is reported gone unless it has another open pipe.
///
/// The lock is held only for map updates, never across nng or user calls; the
/// notifications run on nng's threads and `report` must hand the user callback elsewhere.
final class PeerTracker: @unchecked Sendable {
    private let lock = NSLock()
    private var open: Set<UInt32> = []
    private var pipesOf: [String: Set<UInt32>] = [:]
    private var sendersOn: [UInt32: Set<String>] = [:]
    private var closing = false
    /// Called (outside the lock, on the notifying thread) with each sender gone.
    private let report: @Sendable (String) -> Void

    init(report: @escaping @Sendable (String) -> Void) { self.report = report }

    func pipeAdded(_ pipe: UInt32) {
        lock.lock()
        defer { lock.unlock() }
        if !closing { open.insert(pipe) }
    }

    func pipeRemoved(_ pipe: UInt32) {
        lock.lock()
        open.remove(pipe)
        var gone: [String] = []
        for sender in sendersOn.removeValue(forKey: pipe) ?? [] {
            pipesOf[sender]?.remove(pipe)
            if pipesOf[sender]?.isEmpty ?? true {
                pipesOf[sender] = nil
                gone.append(sender)
            }
        }
        let quiet = closing
        lock.unlock()
        if !quiet { for sender in gone { report(sender) } }
    }

    /// An authenticated request from `sender` arrived on `pipe`.
    func saw(_ sender: String, on pipe: UInt32) {
        lock.lock()
        var goneAlready = false
        if open.contains(pipe) {
            pipesOf[sender, default: []].insert(pipe)
            sendersOn[pipe, default: []].insert(sender)
        } else {
            goneAlready = pipesOf[sender] == nil && !closing
        }
        lock.unlock()
        if goneAlready { report(sender) }
    }

    /// From now on nothing is reported (the server's own close removes every pipe).
    func beginClosing() {
        lock.lock()
        defer { lock.unlock() }
        closing = true
    }

    func connectionCount(of sender: String) -> Int {
        lock.lock()
        defer { lock.unlock() }
        return pipesOf[sender]?.count ?? 0
    }

    var openConnections: Int {
        lock.lock()
        defer { lock.unlock() }
        return open.count
    }

    func isOpen(_ pipe: UInt32) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        return open.contains(pipe)
    }

    /// Registers the tracker for `socket`'s pipe events (before it listens). The socket
    /// keeps the tracker alive until nng_close has returned (notifications may run until then).
    func attach(to socket: NNGSocket) throws(WireError) {
        socket.afterClose { [self] in withExtendedLifetime(self) {} }
        let arg = Unmanaged.passUnretained(self).toOpaque()
        let callback: nng_pipe_cb = { pipe, event, arg in
            guard let arg else { return }
            let tracker = Unmanaged<PeerTracker>.fromOpaque(arg).takeUnretainedValue()
            switch event {
            case NNG_PIPE_EV_ADD_PRE: tracker.pipeAdded(pipe.id)
            case NNG_PIPE_EV_REM_POST: tracker.pipeRemoved(pipe.id)
            default: break
            }
        }
        try nngCheck(nng_pipe_notify(socket.handle, NNG_PIPE_EV_ADD_PRE, callback, arg), "nng_pipe_notify(ADD_PRE)")
        try nngCheck(nng_pipe_notify(socket.handle, NNG_PIPE_EV_REM_POST, callback, arg), "nng_pipe_notify(REM_POST)")
    }
}
