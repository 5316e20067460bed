import Foundation
import GHWHProcess
import Testing

@testable import GHWHWire

@Suite(.serialized) struct PeerGoneTests {
    @Test func closedClientIsReportedGonePromptly() throws {
        for url in ["tcp://127.0.0.1:0", TestEnv.ipcURL("gone")] {
            let gone = Watched<String>()
            let threadNames = Collected<String>()
            let server = try RequestServer(
                url: url, secret: TestEnv.secret, limits: TestEnv.limits, threads: 2, senderId: "c",
                onRejected: { _ in },
                onPeerGone: { sender in
                    threadNames.add((try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? "?")
                    gone.add(sender)
                }, handler: { env in (env.type + 1, env.payload) })
            defer { server.close() }
            let target = url.hasPrefix("ipc") ? url : tcpURL(server)
            let c = try RequestClient(url: target, secret: TestEnv.secret, limits: TestEnv.limits, senderId: "worker-1")
            #expect(try c.call(type: 1, payload: [1], timeout: 5).payload == [1])
            #expect(server.connectionCount(of: "worker-1") == 1)
            let closedAt = Date()
            c.close()
            #expect(gone.wait(seconds: 5) { $0.contains("worker-1") })
            print(
                "\(url.prefix(3)): peer gone reported \(Int(Date().timeIntervalSince(closedAt) * 1000)) ms after the client closed"
            )
            #expect(gone.all == ["worker-1"])
            #expect(server.connectionCount(of: "worker-1") == 0)
            #expect(threadNames.all.allSatisfy { $0.hasPrefix("ghwh-rep") }, "\(threadNames.all)")  // a handler thread
        }
    }

    @Test func senderWithTwoConnectionsIsReportedWhenTheLastCloses() throws {
        let gone = Watched<String>()
        let server = try echoServerReporting(gone)
        defer { server.close() }
        let first = try client(server, "dual")
        let second = try client(server, "dual")
        _ = try first.call(type: 1, payload: [1], timeout: 5)
        _ = try second.call(type: 1, payload: [2], timeout: 5)
        #expect(server.connectionCount(of: "dual") == 2)
        first.close()
        // The first connection's removal has been processed once the count drops.
        #expect(eventually(seconds: 5) { server.connectionCount(of: "dual") == 1 })
        #expect(gone.all.isEmpty)
        // A reconnect (a new connection) counts as live too: the old one's removal said nothing.
        let third = try client(server, "dual")
        _ = try third.call(type: 1, payload: [3], timeout: 5)
        second.close()
        #expect(eventually(seconds: 5) { server.connectionCount(of: "dual") == 1 })
        #expect(gone.all.isEmpty)
        third.close()
        #expect(gone.wait(seconds: 5) { $0.contains("dual") })
        #expect(gone.all == ["dual"])
    }

    @Test func unauthenticatedPeerIsNeverReported() throws {
        let gone = Watched<String>()
        let server = try echoServerReporting(gone)
        defer { server.close() }
        let intruder = try client(server, "intruder", secret: TestEnv.otherSecret)
        #expect(throws: WireError.authenticationFailed) { _ = try intruder.call(type: 1, payload: [1], timeout: 5) }
        let marker = try client(server, "marker")
        _ = try marker.call(type: 1, payload: [1], timeout: 5)
        #expect(server.connectionCount(of: "intruder") == 0)
        intruder.close()
        marker.close()
        #expect(gone.wait(seconds: 5) { $0.contains("marker") })
        #expect(eventually(seconds: 5) { server.openConnections == 0 })  // both removals processed
        #expect(gone.all == ["marker"])
    }

    /// A real process dies (SIGKILL): the kernel closes its TCP connection and the server
    /// reports the sender at once. The child is bash speaking nng's TCP wire format by hand.
    @Test func killedProcessIsReportedGone() throws {
        let gone = Watched<String>()
        let held = Watched<Responder>()
        let server = try deferredServer(onPeerGone: { gone.add($0) }) { _, responder in held.add(responder) }
        defer { server.close() }
        let frame = try FrameCodec.seal(
            type: 1, payload: [1, 2, 3], sender: "child-7", sequence: 1, secret: TestEnv.secret)
        let child = try ChildProcess.spawn(
            "/bin/bash", ["-c", Self.rawRequestScript(port: server.boundPort ?? 0, frame: frame)])
        defer {
            child.kill()
            child.waitForExit()
        }
        #expect(held.wait(seconds: 10) { $0.count == 1 })
        #expect(held.all.first?.sender == "child-7")
        #expect(server.connectionCount(of: "child-7") == 1)
        let killedAt = Date()
        child.kill()
        #expect(gone.wait(seconds: 5) { $0.contains("child-7") })
        print("killed process reported gone after \(Int(Date().timeIntervalSince(killedAt) * 1000)) ms")
        #expect(held.all.first?.isConnectionOpen == false)
        held.all.first?.reply(2, [1])  // to a closed connection: discarded by nng, harmless
    }

    /// nng's TCP transport: an 8-byte SP header (0, 'S', 'P', 0, protocol u16 BE = REQ v0 0x0030,
    /// 0, 0), then each message as a u64 BE length and a body; a REQ body starts with a 4-byte
    /// request id with its top bit set. `exec sleep` keeps the socket in the same process.
    static func rawRequestScript(port: Int, frame: [UInt8]) -> String {
        let body: [UInt8] = [0x80, 0, 0, 1] + frame
        var bytes: [UInt8] = [0, 0x53, 0x50, 0, 0, 0x30, 0, 0]
        bytes += withUnsafeBytes(of: UInt64(body.count).bigEndian, Array.init)
        bytes += body
        let escaped = bytes.map { String(format: "\\x%02x", $0) }.joined()
        return "exec 3<>/dev/tcp/127.0.0.1/\(port) || exit 1; printf '\(escaped)' >&3; exec sleep 120"
    }

    private func echoServerReporting(_ gone: Watched<String>) throws -> RequestServer {
        try RequestServer(
            url: "tcp://127.0.0.1:0", secret: TestEnv.secret, limits: TestEnv.limits, threads: 2, senderId: "c",
            onRejected: { _ in }, onPeerGone: { gone.add($0) }, handler: { env in (env.type + 1, env.payload) })
    }
}
