import Foundation
import Testing

@testable import GHWHWire

/// A collector that can be waited on: `wait` returns when `ready(all)` holds or the deadline passes.
final class Watched<T>: @unchecked Sendable {
    private let cond = NSCondition()
    private var items: [T] = []

    func add(_ item: T) {
        cond.lock()
        items.append(item)
        cond.broadcast()
        cond.unlock()
    }
    var all: [T] {
        cond.lock()
        defer { cond.unlock() }
        return items
    }

    @discardableResult
    func wait(seconds: Double, until ready: ([T]) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        cond.lock()
        defer { cond.unlock() }
        while !ready(items) {
            if !cond.wait(until: deadline) { return ready(items) }
        }
        return true
    }
}

/// Polls server-side state that has no callback (checked every 5 ms up to a deadline).
func eventually(seconds: Double, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while !condition() {
        if Date() > deadline { return false }
        usleep(5_000)
    }
    return true
}

/// Threads of this process, from /proc/self/status.
func processThreadCount() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
        let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Threads:") })
    else { return -1 }
    return Int(line.dropFirst("Threads:".count).trimmingCharacters(in: .whitespaces)) ?? -1
}

/// Names of this process's threads (Linux `comm`, at most 15 characters).
func processThreadNames() -> [String] {
    let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
    return tasks.compactMap { try? String(contentsOfFile: "/proc/self/task/\($0)/comm", encoding: .utf8) }
        .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
}

func deferredServer(
    handlerThreads: Int = 2, maxOutstanding: Int = 1024, onPeerGone: @escaping @Sendable (String) -> Void = { _ in },
    _ handler: @escaping @Sendable (Envelope, Responder) -> Void
) throws -> RequestServer {
    try RequestServer(
        url: "tcp://127.0.0.1:0", secret: TestEnv.secret, limits: TestEnv.limits, handlerThreads: handlerThreads,
        maxOutstanding: maxOutstanding, senderId: "c", onRejected: { _ in }, onPeerGone: onPeerGone,
        deferredHandler: handler)
}

func client(_ server: RequestServer, _ sender: String, secret: ClusterSecret = TestEnv.secret) throws -> RequestClient {
    try RequestClient(url: tcpURL(server), secret: secret, limits: TestEnv.limits, senderId: sender)
}

@Suite(.serialized) struct DeferredReplyTests {
    /// 320 requests from 64 clients are held at once by a server with 2 handler threads,
    /// then answered from another thread; every caller gets its own answer.
    @Test func hundredsOfHeldRequestsOnTwoHandlerThreads() throws {
        // nng's own pool started
        let warm = try NNGSocket(.rep, recvMaxBytes: 1 << 20, sendTimeout: nil, recvTimeout: nil)
        defer { warm.close() }
        let held = Watched<(Envelope, Responder)>()
        let before = processThreadCount()
        let server = try deferredServer(handlerThreads: 2, maxOutstanding: 512) { env, responder in
            held.add((env, responder))
        }
        defer { server.close() }
        let clients = try (0..<64).map { try client(server, "w\($0)") }
        defer { for c in clients { c.close() } }
        let perClient = 5
        let total = 64 * 5
        let results = Collected<String>()
        let callers = (0..<total).map { i in
            JoinableThread(name: "caller-\(i)") {
                let payload = Array("request \(i)".utf8)
                do {
                    let reply = try clients[i / perClient].call(type: 10, payload: payload, timeout: 60)
                    results.add(reply.type == 11 && reply.payload == payload.reversed() ? "ok" : "mismatch \(i)")
                } catch {
                    results.add("call \(i): \(error)")
                }
            }
        }
        #expect(held.wait(seconds: 60) { $0.count == total })
        let during = processThreadCount()
        let serverThreads = processThreadNames().filter { $0.hasPrefix("ghwh-rep") }.count
        let answerer = JoinableThread(name: "answerer") {
            for (env, responder) in held.all { responder.reply(env.type + 1, Array(env.payload.reversed())) }
        }
        answerer.join()
        for c in callers { c.join() }
        print(
            "threads: before \(before), holding \(total) requests \(during) (\(total) caller threads), ghwh-rep threads \(serverThreads)"
        )
        #expect(results.all.count == total)
        #expect(results.all.filter { $0 != "ok" }.isEmpty, "\(results.all.filter { $0 != "ok" }.prefix(3))")
        // The server adds its 2 handler threads, not one per held request (slack: other suites run in parallel).
        #expect(during - before <= total + 2 + 40, "before \(before), during \(during)")
        #expect(serverThreads >= 2, "\(serverThreads)")  // ours; other suites' servers may add theirs meanwhile
    }

    @Test func answerLaterFromAnotherThreadExactlyOnce() throws {
        let outcomes = Watched<[Bool]>()
        let server = try deferredServer(handlerThreads: 1) { env, responder in
            DispatchQueue.global().asyncAfter(deadline: .now() + 0.3) {
                let first = responder.reply(env.type + 1, env.payload)
                let second = responder.reply(99, [0])
                let third = responder.fail("too late")
                outcomes.add([first, second, third, responder.isAnswered])
            }
        }
        defer { server.close() }
        let c = try client(server, "w")
        defer { c.close() }
        // Two calls at once on one handler thread: the handler returned, so both wait in parallel.
        let started = Date()
        let replies = Collected<[UInt8]>()
        onThreads(2) { t in
            if let reply = try? c.call(type: 1, payload: [UInt8(t)], timeout: 10), reply.type == 2 {
                replies.add(reply.payload)
            }
        }
        let elapsed = Date().timeIntervalSince(started)
        #expect(Set(replies.all) == [[0], [1]])
        #expect(elapsed >= 0.29 && elapsed < 0.6 + 2, "\(elapsed)")
        #expect(outcomes.wait(seconds: 5) { $0.count == 2 })
        #expect(outcomes.all.allSatisfy { $0 == [true, false, false, true] })
        #expect(try c.call(type: 5, payload: [5], timeout: 5).payload == [5])
    }

    @Test func responderDroppedUnansweredFailsTheCall() throws {
        let server = try deferredServer { _, _ in }  // responder released at once
        defer { server.close() }
        let c = try client(server, "w")
        defer { c.close() }
        #expect(throws: WireError.handlerFailed("request dropped by the server without an answer")) {
            _ = try c.call(type: 1, payload: [], timeout: 5)
        }
    }

    @Test func failAnswersHandlerFailed() throws {
        let server = try deferredServer { _, responder in responder.fail("no task for you") }
        defer { server.close() }
        let c = try client(server, "w")
        defer { c.close() }
        #expect(throws: WireError.handlerFailed("no task for you")) { _ = try c.call(type: 1, payload: [], timeout: 5) }
    }

    /// Requests beyond maxOutstanding wait in nng and reach the handler once contexts free up.
    @Test func requestsBeyondMaxOutstandingWaitTheirTurn() throws {
        let held = Watched<(Envelope, Responder)>()
        let server = try deferredServer(maxOutstanding: 4) { env, responder in held.add((env, responder)) }
        defer { server.close() }
        let c = try client(server, "w")
        defer { c.close() }
        let replies = Collected<UInt8>()
        let callers = (0..<8).map { i in
            JoinableThread(name: "caller-\(i)") {
                if let r = try? c.call(type: 1, payload: [UInt8(i)], timeout: 20) { replies.add(r.payload[0]) }
            }
        }
        #expect(held.wait(seconds: 10) { $0.count == 4 })
        #expect(held.all.count == 4)  // the other four are not delivered while every context is busy
        for (env, r) in held.all { r.reply(2, env.payload) }
        #expect(held.wait(seconds: 10) { $0.count == 8 })
        for (env, r) in held.all.suffix(4) { r.reply(2, env.payload) }
        for t in callers { t.join() }
        #expect(Set(replies.all) == Set(0..<8))
    }

    @Test func closeWithOutstandingDeferredRequests() throws {
        let held = Watched<Responder>()
        let server = try deferredServer(handlerThreads: 1) { _, responder in held.add(responder) }
        let c = try client(server, "w")
        defer { c.close() }
        let errors = Collected<WireError?>()
        let callers = (0..<3).map { i in
            JoinableThread(name: "caller-\(i)") {
                errors.add(wireError { _ = try c.call(type: 1, payload: [UInt8(i)], timeout: 2) })
            }
        }
        #expect(held.wait(seconds: 10) { $0.count == 3 })
        let started = Date()
        server.close()
        server.close()
        #expect(Date().timeIntervalSince(started) < 2)
        for t in callers { t.join() }
        #expect(errors.all.count == 3)
        #expect(errors.all.allSatisfy { $0 == .timedOut || $0 == .closed }, "\(errors.all)")
        // Answers after close are dropped.
        #expect(held.all.allSatisfy { !$0.reply(2, [1]) })
    }

    /// close() while other threads answer and clients keep calling: no crash, no hang
    /// (nng 1.5.2 panics if a socket closes under a busy context).
    @Test func closeRacingWithAnswersAndNewRequests() throws {
        for _ in 0..<5 {
            let held = Watched<Responder>()
            let server = try deferredServer(handlerThreads: 2) { _, responder in held.add(responder) }
            let clients = try (0..<4).map { try client(server, "r\($0)") }
            let callers = (0..<40).map { i in
                JoinableThread(name: "caller-\(i)") {
                    while (try? clients[i % 4].call(type: 1, payload: [1], timeout: 1)) != nil {}
                }
            }
            #expect(held.wait(seconds: 10) { $0.count >= 20 })
            let answerers = (0..<2).map { k in
                JoinableThread(name: "answerer-\(k)") {
                    for (j, responder) in held.all.enumerated() where j % 2 == k {
                        responder.reply(2, [UInt8(j & 255)])
                    }
                }
            }
            let started = Date()
            server.close()
            #expect(Date().timeIntervalSince(started) < 2)
            for t in answerers { t.join() }
            for t in callers { t.join() }
            for c in clients { c.close() }
        }
    }

    /// close() from inside a handler does not wait for itself.
    @Test func closeFromInsideAHandler() throws {
        let closed = Watched<Bool>()
        let box = Collected<RequestServer>()
        let server = try deferredServer(handlerThreads: 2) { _, responder in
            responder.reply(2, [1])
            box.all.first?.close()
            closed.add(true)
        }
        box.add(server)
        let c = try client(server, "w")
        defer { c.close() }
        _ = try? c.call(type: 1, payload: [], timeout: 2)
        #expect(closed.wait(seconds: 10) { $0.count == 1 })
        server.close()
    }

    /// A deferred reply of several megabytes, sealed on the replying thread.
    @Test func largeDeferredReply() throws {
        let limits = FrameLimits(maxMessageBytes: 20 << 20)
        let big = (0..<(16 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let server = try RequestServer(
            url: TestEnv.ipcURL("big-deferred"), secret: TestEnv.secret, limits: limits, handlerThreads: 1,
            senderId: "c", onRejected: { _ in },
            deferredHandler: { _, responder in
                let answerer = Thread { responder.reply(3, big) }
                answerer.start()
            })
        defer { server.close() }
        let c = try RequestClient(url: server.url, secret: TestEnv.secret, limits: limits, senderId: "w")
        defer { c.close() }
        let reply = try c.call(type: 1, payload: [], timeout: 30)
        #expect(reply.type == 3 && reply.payload == big)
    }
}
