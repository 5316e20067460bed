import Testing

@testable import GHWHWire

@Suite struct FrameTests {
    let secret = TestEnv.secret
    let limits = TestEnv.limits

    func sealed(
        _ payload: [UInt8] = SampleMessage.example.encoded(), sequence: UInt64 = 7,
        timestamp: Int64 = WallClock.nowMillis()
    ) throws -> [UInt8] {
        try FrameCodec.seal(
            type: SampleMessage.typeCode, payload: payload, sender: "worker-1", sequence: sequence,
            secret: secret, timestamp: timestamp)
    }

    @Test func sealOpenRoundTrip() throws {
        let frame = try sealed()
        #expect(
            frame.count == FrameCodec.frameSize(payloadCount: SampleMessage.example.encoded().count, sender: "worker-1")
        )
        #expect(Array(frame[0..<4]) == Array("GHWH".utf8))
        let env = try FrameCodec.open(frame, secret: secret, limits: limits)
        #expect(env.type == 42 && env.sender == "worker-1" && env.sequence == 7)
        #expect(try env.decode(SampleMessage.self) == .example)
        #expect(throws: WireError.unexpectedType(42)) { _ = try env.decode(OtherMessage.self) }
    }

    @Test func emptyPayloadRoundTrips() throws {
        let env = try FrameCodec.open(try sealed([]), secret: secret, limits: limits)
        #expect(env.payload.isEmpty)
    }

    @Test func wrongSecretIsRefused() throws {
        #expect(throws: WireError.authenticationFailed) {
            _ = try FrameCodec.open(try sealed(), secret: TestEnv.otherSecret, limits: limits)
        }
        let insecure = try FrameCodec.seal(type: 1, payload: [1], sender: "a", sequence: 1, secret: .insecure)
        #expect(throws: WireError.authenticationFailed) {
            _ = try FrameCodec.open(insecure, secret: secret, limits: limits)
        }
        #expect(try FrameCodec.open(insecure, secret: .insecure, limits: limits).payload == [1])
    }

    @Test func flippedByteAnywhereIsRefused() throws {
        let frame = try sealed(Array(0..<40))
        for i in 0..<frame.count {
            var bad = frame
            bad[i] ^= 0x01
            let error = wireError { _ = try FrameCodec.open(bad, secret: secret, limits: limits) }
            #expect(error != nil, "flip at \(i) accepted")
        }
    }

    @Test func everyTruncationIsRefused() throws {
        let frame = try sealed(Array(0..<40))
        for cut in 0..<frame.count {
            #expect(wireError { _ = try FrameCodec.open(Array(frame[0..<cut]), secret: secret, limits: limits) } != nil)
        }
    }

    @Test func headerChecks() throws {
        var frame = try sealed()
        frame[0] = UInt8(ascii: "X")
        #expect(throws: WireError.badMagic) { _ = try FrameCodec.open(frame, secret: secret, limits: limits) }
        var other = try sealed()
        let version = UInt16(FrameCodec.protocolVersion + 1)
        other[4] = UInt8(version & 0xFF)  // the version field is little-endian
        #expect(throws: WireError.unsupportedVersion(version)) {
            _ = try FrameCodec.open(other, secret: secret, limits: limits)
        }
        let small = FrameLimits(maxMessageBytes: 100, maxClockSkew: 300)
        let big = try sealed([UInt8](repeating: 1, count: 200))
        #expect(throws: WireError.tooLarge(bytes: big.count, limit: 100)) {
            _ = try FrameCodec.open(big, secret: secret, limits: small)
        }
    }

    @Test func senderIdsAreValidated() {
        #expect(
            wireError { _ = try FrameCodec.seal(type: 1, payload: [], sender: "", sequence: 1, secret: secret) } != nil)
        let long = String(repeating: "w", count: 256)
        #expect(
            wireError { _ = try FrameCodec.seal(type: 1, payload: [], sender: long, sequence: 1, secret: secret) }
                != nil)
    }

    @Test func clusterSecretRefusesShortSecrets() {
        #expect(wireError { _ = try ClusterSecret("") } != nil)
        #expect(wireError { _ = try ClusterSecret("fifteen bytes!!") } != nil)
        #expect(wireError { _ = try ClusterSecret("sixteen bytes!!!") } == nil)
        #expect(ClusterSecret.insecure.isInsecure)
    }

    @Test func errorsDescribeThemselves() {
        #expect(WireError.tooLarge(bytes: 10, limit: 5).description.contains("limit of 5 bytes"))
        #expect(WireError.replayed(sender: "w", sequence: 3).description.contains("'w'"))
    }
}

struct OtherMessage: WireMessage {
    static let typeCode: UInt16 = 43
    func encode(into writer: inout WireWriter) {}
    static func decode(from reader: inout WireReader) throws -> OtherMessage { OtherMessage() }
}
