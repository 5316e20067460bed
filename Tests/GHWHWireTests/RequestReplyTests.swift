import CNNG
import Foundation
import Testing

@testable import GHWHWire

/// Echo server: replies with type + 1 and the same payload.
func echoServer(
    _ url: String = "tcp://127.0.0.1:0", threads: Int = 4, limits: FrameLimits = TestEnv.limits,
    rejections: Collected<String> = Collected()
) throws -> RequestServer {
    try RequestServer(
        url: url, secret: TestEnv.secret, limits: limits, threads: threads, senderId: "coordinator",
        onRejected: { rejections.add($0) }, handler: { env in (env.type + 1, env.payload) })
}

func tcpURL(_ server: RequestServer) -> String { "tcp://127.0.0.1:\(server.boundPort ?? 0)" }

/// A bare REQ socket dialled to `server`, for sending hand-made frames.
func rawRequester(dialing server: RequestServer) throws -> NNGSocket {
    let raw = try NNGSocket(.req, recvMaxBytes: 1 << 20, sendTimeout: 5, recvTimeout: 5)
    do { try raw.dial(tcpURL(server), blocking: true) } catch {
        raw.close()
        throw error
    }
    return raw
}

/// A call retried while it times out (at most `attempts` times), as the roles retry theirs.
func callRetryingTimeouts(
    _ client: RequestClient, payload: [UInt8], attempts: Int, timeout: Double
) throws(WireError) -> Envelope {
    for _ in 1..<attempts {
        do throws(WireError) {
            return try client.call(type: 1, payload: payload, timeout: timeout)
        } catch .timedOut {
            continue
        }
    }
    return try client.call(type: 1, payload: payload, timeout: timeout)
}

@Suite(.serialized) struct RequestReplyTests {
    @Test func roundTripOverIPCAndTCP() throws {
        for url in [TestEnv.ipcURL("rr"), "tcp://127.0.0.1:0"] {
            let server = try echoServer(url)
            defer { server.close() }
            let target = url.hasPrefix("ipc") ? url : tcpURL(server)
            let client = try RequestClient(
                url: target, secret: TestEnv.secret, limits: TestEnv.limits, senderId: "worker-1")
            defer { client.close() }
            let reply = try client.call(SampleMessage.example, timeout: 5)
            #expect(reply.type == SampleMessage.typeCode + 1)
            #expect(reply.sender == "coordinator")
            #expect(try SampleMessage.decoded(from: reply.payload) == .example)
            let second = try client.call(type: 7, payload: [1, 2, 3], timeout: 5)
            #expect(second.payload == [1, 2, 3] && second.sequence > reply.sequence)
        }
    }

    @Test func wrongSecretIsRefusedAndLogged() throws {
        let rejections = Collected<String>()
        let server = try echoServer(rejections: rejections)
        defer { server.close() }
        let intruder = try RequestClient(
            url: tcpURL(server), secret: TestEnv.otherSecret, limits: TestEnv.limits, senderId: "intruder")
        defer { intruder.close() }
        // The server answers with a rejection sealed under the real secret, which the intruder cannot verify.
        #expect(throws: WireError.authenticationFailed) { _ = try intruder.call(type: 1, payload: [1], timeout: 5) }
        #expect(rejections.all.count == 1)
        #expect(rejections.all.first?.contains("authentication failed") == true)
        #expect(rejections.all.first?.contains("127.0.0.1:") == true)
        let honest = try RequestClient(
            url: tcpURL(server), secret: TestEnv.secret, limits: TestEnv.limits, senderId: "worker")
        defer { honest.close() }
        #expect(try honest.call(type: 1, payload: [9], timeout: 5).payload == [9])
    }

    @Test func staleClientGetsAClearRejection() throws {
        let rejections = Collected<String>()
        let server = try echoServer(rejections: rejections)
        defer { server.close() }
        let raw = try rawRequester(dialing: server)
        defer { raw.close() }
        let old = try FrameCodec.seal(
            type: 1, payload: [1], sender: "w", sequence: 1, secret: TestEnv.secret,
            timestamp: WallClock.nowMillis() - 3_600_000)
        try raw.send(old)
        let reply = try FrameCodec.open(try raw.receive(), secret: TestEnv.secret, limits: TestEnv.limits)
        #expect(reply.type == WireReplyType.rejected)
        #expect(WireReplyType.reason(from: reply.payload).contains("stale frame from 'w'"))
    }

    @Test func replayedRequestIsRefusedByServer() throws {
        let rejections = Collected<String>()
        let server = try echoServer(rejections: rejections)
        defer { server.close() }
        let raw = try rawRequester(dialing: server)
        defer { raw.close() }
        let opener = FrameOpener(secret: TestEnv.secret, limits: TestEnv.limits)
        func send(_ seq: UInt64, _ payload: [UInt8]) throws -> Envelope {
            try raw.send(
                try FrameCodec.seal(type: 1, payload: payload, sender: "w", sequence: seq, secret: TestEnv.secret))
            return try opener.open(try raw.receive())
        }
        #expect(try send(5_000, [1]).type == 2)
        #expect(try send(5_001, [2]).type == 2)
        let replay = try send(5_000, [3])  // old sequence, new content: a forged or replayed frame
        #expect(replay.type == WireReplyType.rejected)
        #expect(rejections.all.last?.contains("replayed frame from 'w' (sequence 5000") == true)
    }

    @Test func oversizedRequestIsDroppedAndServerKeepsServing() throws {
        let serverLimits = FrameLimits(maxMessageBytes: 256 << 10)
        let server = try echoServer(limits: serverLimits)
        defer { server.close() }
        // A client configured with a bigger limit than the server: nng on the server drops the frame silently.
        let careless = try RequestClient(
            url: tcpURL(server), secret: TestEnv.secret,
            limits: FrameLimits(maxMessageBytes: 4 << 20), senderId: "careless")
        defer { careless.close() }
        #expect(throws: WireError.timedOut) {
            _ = try careless.call(type: 1, payload: [UInt8](repeating: 7, count: 1 << 20), timeout: 0.5)
        }
        // The server keeps serving: a new client is answered at once.
        let fresh = try RequestClient(
            url: tcpURL(server), secret: TestEnv.secret, limits: serverLimits, senderId: "fresh")
        defer { fresh.close() }
        #expect(try fresh.call(type: 1, payload: [4], timeout: 5).payload == [4])
        // The server closed the careless client's connection; it redials, and a timed-out call is
        // retried, as the cluster's roles do (ClusterEndpoint). One CI run under ThreadSanitizer saw a
        // single 30 s call on this client time out, so it gets bounded attempts instead of one long call.
        #expect(try callRetryingTimeouts(careless, payload: [1, 2], attempts: 6, timeout: 10).payload == [1, 2])
        // A client with the cluster's limit fails before sending, naming the limit.
        let careful = try RequestClient(
            url: tcpURL(server), secret: TestEnv.secret, limits: serverLimits, senderId: "careful")
        defer { careful.close() }
        let payload = [UInt8](repeating: 7, count: 300 << 10)
        let size = FrameCodec.frameSize(payloadCount: payload.count, sender: "careful")
        #expect(throws: WireError.tooLarge(bytes: size, limit: 256 << 10)) {
            _ = try careful.call(type: 1, payload: payload, timeout: 5)
        }
        #expect(try careful.call(type: 1, payload: [3], timeout: 5).payload == [3])
    }

    @Test func oversizedReplyBecomesAClearError() throws {
        let limits = FrameLimits(maxMessageBytes: 64 << 10)
        let rejections = Collected<String>()
        let server = try RequestServer(
            url: "tcp://127.0.0.1:0", secret: TestEnv.secret, limits: limits, senderId: "c",
            onRejected: { rejections.add($0) },
            handler: { _ in (1, [UInt8](repeating: 0, count: 100 << 10)) })
        defer { server.close() }
        let client = try RequestClient(url: tcpURL(server), secret: TestEnv.secret, limits: limits, senderId: "w")
        defer { client.close() }
        guard case .handlerFailed(let why) = wireError({ _ = try client.call(type: 1, payload: [], timeout: 5) }) else {
            Issue.record("expected handlerFailed")
            return
        }
        #expect(why.contains("above the 65536-byte message limit"))
        #expect(rejections.all.count == 1)
    }

    @Test func handlerErrorsReachTheClient() throws {
        struct Boom: Error, CustomStringConvertible { var description: String { "task 17 not found" } }
        let server = try RequestServer(
            url: "tcp://127.0.0.1:0", secret: TestEnv.secret, limits: TestEnv.limits, senderId: "c",
            onRejected: { _ in }, handler: { _ in throw Boom() })
        defer { server.close() }
        let client = try RequestClient(
            url: tcpURL(server), secret: TestEnv.secret, limits: TestEnv.limits, senderId: "w")
        defer { client.close() }
        #expect(throws: WireError.handlerFailed("task 17 not found")) {
            _ = try client.call(type: 1, payload: [], timeout: 5)
        }
    }

    @Test func garbageOnARawSocketDoesNotStopTheServer() throws {
        let rejections = Collected<String>()
        let server = try echoServer(threads: 2, rejections: rejections)
        defer { server.close() }
        let raw = try NNGSocket(.req, recvMaxBytes: 1 << 20, sendTimeout: 5, recvTimeout: 5)
        defer { raw.close() }
        try raw.dial(tcpURL(server), blocking: true)
        var rng = SystemRandomNumberGenerator()
        var garbage: [[UInt8]] = [
            [], [0x47], Array("GHWH".utf8), Array("GHWH".utf8) + [1, 0] + [UInt8](repeating: 0xFF, count: 80),
        ]
        for _ in 0..<50 {
            garbage.append(
                (0..<Int.random(in: 0..<300, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) })
        }
        for junk in garbage {
            try raw.send(junk)
            let reply = try FrameCodec.open(try raw.receive(), secret: TestEnv.secret, limits: TestEnv.limits)
            #expect(reply.type == WireReplyType.rejected)
        }
        #expect(rejections.all.count == garbage.count)
        let client = try RequestClient(
            url: tcpURL(server), secret: TestEnv.secret, limits: TestEnv.limits, senderId: "w")
        defer { client.close() }
        #expect(try client.call(type: 1, payload: [5], timeout: 5).payload == [5])
    }

    @Test func manyConcurrentClientsAgainstFourContexts() throws {
        let server = try echoServer(threads: 4)
        defer { server.close() }
        let url = tcpURL(server)
        let shared = try RequestClient(url: url, secret: TestEnv.secret, limits: TestEnv.limits, senderId: "shared")
        defer { shared.close() }
        let failures = Collected<String>()
        let ok = Collected<Int>()
        onThreads(12) { t in
            do {
                // Half the threads own a client, half share one (concurrent contexts on one REQ socket).
                let own =
                    t % 2 == 0
                    ? try RequestClient(url: url, secret: TestEnv.secret, limits: TestEnv.limits, senderId: "w\(t)")
                    : nil
                defer { own?.close() }
                let client = own ?? shared
                for i in 0..<50 {
                    let payload = Array("\(t)-\(i)".utf8)
                    let reply = try client.call(type: 10, payload: payload, timeout: 10)
                    if reply.payload == payload && reply.type == 11 {
                        ok.add(1)
                    } else {
                        failures.add("mismatch \(t)-\(i)")
                    }
                }
            } catch {
                failures.add("thread \(t): \(error)")
            }
        }
        #expect(failures.all.isEmpty, "\(failures.all.prefix(3))")
        #expect(ok.all.count == 600)
    }

    @Test func oneMegabytePayloadRoundTrip() throws {
        let server = try echoServer(TestEnv.ipcURL("big"))
        defer { server.close() }
        let client = try RequestClient(url: server.url, secret: TestEnv.secret, limits: TestEnv.limits, senderId: "w")
        defer { client.close() }
        let payload = (0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let reply = try client.call(type: 1, payload: payload, timeout: 10)
        #expect(reply.payload == payload)
    }

    @Test func serverClosedWhileClientWaitsEndsInTimeoutNotHang() throws {
        let entered = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let server = try RequestServer(
            url: "tcp://127.0.0.1:0", secret: TestEnv.secret, limits: TestEnv.limits, senderId: "c",
            onRejected: { _ in },
            handler: { env in
                entered.signal()
                _ = release.wait(timeout: .now() + 10)
                return (1, env.payload)
            })
        let client = try RequestClient(
            url: tcpURL(server), secret: TestEnv.secret, limits: TestEnv.limits, senderId: "w")
        defer { client.close() }
        let outcome = Collected<WireError?>()
        let started = Date()
        let caller = JoinableThread(name: "caller") {
            outcome.add(wireError { _ = try client.call(type: 1, payload: [1], timeout: 1.5) })
        }
        #expect(entered.wait(timeout: .now() + 10) == .success)
        let closer = JoinableThread(name: "closer") { server.close() }  // waits for the running handler
        caller.join()
        let elapsed = Date().timeIntervalSince(started)
        release.signal()
        closer.join()
        let error = outcome.all.first ?? nil
        #expect(error == .timedOut || error == .closed)
        #expect(elapsed < 5)
        // And a call to a server that is gone entirely also ends.
        #expect(throws: WireError.timedOut) { _ = try client.call(type: 1, payload: [2], timeout: 0.3) }
    }

    @Test func closedClientReportsClosed() throws {
        let server = try echoServer()
        defer { server.close() }
        let client = try RequestClient(
            url: tcpURL(server), secret: TestEnv.secret, limits: TestEnv.limits, senderId: "w")
        client.close()
        #expect(throws: WireError.closed) { _ = try client.call(type: 1, payload: [], timeout: 1) }
    }

    /// nng REQ re-sends an unanswered request after the resend time: the server must answer
    /// the re-send too (handler runs again, marked) and the client must get exactly one reply.
    @Test func reqResendIsAnsweredAndFlagged() throws {
        let sawResend = DispatchSemaphore(value: 0)
        let calls = Collected<Bool>()
        let server = try RequestServer(
            url: "tcp://127.0.0.1:0", secret: TestEnv.secret, limits: TestEnv.limits, threads: 2,
            senderId: "c", onRejected: { _ in },
            handler: { env in
                calls.add(env.isRetransmission)
                if env.isRetransmission {
                    sawResend.signal()
                } else {
                    // The first delivery is slow: it waits until nng has re-sent the request.
                    _ = sawResend.wait(timeout: .now() + 10)
                }
                return (2, env.payload)
            })
        defer { server.close() }
        let client = try RequestClient(
            url: tcpURL(server), secret: TestEnv.secret, limits: TestEnv.limits, senderId: "w",
            options: RequestClientOptions(resendTime: 0.2))
        defer { client.close() }
        let reply = try client.call(type: 1, payload: [4, 2], timeout: 10)
        #expect(reply.payload == [4, 2])
        #expect(calls.all.contains(true))
        #expect(calls.all.filter { !$0 }.count == 1)
        // The client is still usable afterwards.
        #expect(try client.call(type: 1, payload: [1], timeout: 5).payload == [1])
    }
}
