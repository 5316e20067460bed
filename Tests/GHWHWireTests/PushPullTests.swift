import Foundation
import Testing

@testable import GHWHWire

@Suite(.serialized) struct PushPullTests {
    @Test func deliversInOrderAndSkipsForgedFrames() throws {
        let url = TestEnv.ipcURL("pipeline")
        let rejections = Collected<String>()
        let pull = try PullReceiver(
            url: url, secret: TestEnv.secret, limits: TestEnv.limits, receiveTimeout: 5,
            onRejected: { rejections.add($0) })
        defer { pull.close() }
        let push = try PushSender(url: url, secret: TestEnv.secret, limits: TestEnv.limits, senderId: "worker-3")
        defer { push.close() }
        let forger = try PushSender(url: url, secret: TestEnv.otherSecret, limits: TestEnv.limits, senderId: "forger")
        defer { forger.close() }
        try forger.send(type: 9, payload: [6, 6, 6])
        for i in 0..<100 { try push.send(type: 5, payload: Array("record batch \(i)".utf8)) }
        var got: [String] = []
        for _ in 0..<100 {
            let env = try pull.receive()
            #expect(env.sender == "worker-3" && env.type == 5)
            got.append(String(decoding: env.payload, as: UTF8.self))
        }
        #expect(got == (0..<100).map { "record batch \($0)" })
        #expect(rejections.all.count == 1)
        #expect(rejections.all.first?.contains("authentication failed") == true)
        #expect(
            throws: WireError.tooLarge(
                bytes: FrameCodec.frameSize(payloadCount: 5 << 20, sender: "worker-3"), limit: 4 << 20)
        ) {
            try push.send(type: 5, payload: [UInt8](repeating: 0, count: 5 << 20))
        }
    }

    @Test func pullTimesOutWhenNothingArrives() throws {
        let pull = try PullReceiver(
            url: "tcp://127.0.0.1:0", secret: TestEnv.secret, limits: TestEnv.limits,
            receiveTimeout: 0.2, onRejected: { _ in })
        defer { pull.close() }
        #expect(pull.boundPort != nil && pull.boundPort != 0)
        #expect(throws: WireError.timedOut) { _ = try pull.receive() }
    }

    @Test func pushOverTCPWithMessageType() throws {
        let pull = try PullReceiver(
            url: "tcp://127.0.0.1:0", secret: TestEnv.secret, limits: TestEnv.limits, receiveTimeout: 5,
            onRejected: { _ in })
        defer { pull.close() }
        let push = try PushSender(
            url: "tcp://127.0.0.1:\(pull.boundPort!)", secret: TestEnv.secret, limits: TestEnv.limits, senderId: "w")
        defer { push.close() }
        try push.send(SampleMessage.example)
        #expect(try pull.receive().decode(SampleMessage.self) == .example)
    }
}
