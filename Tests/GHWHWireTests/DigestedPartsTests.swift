import Crypto
import Testing

@testable import GHWHWire

/// Frames whose large parts enter the MAC as their SHA-256 (the sender knew
/// it already): the receiver hashes the parts itself, so any change to the
/// bytes, the digests or the digest table is refused like any forged frame.
@Suite struct DigestedPartsTests {
    let secret = TestEnv.secret
    let limits = TestEnv.limits

    static let document: [UInt8] = (0..<5000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
    static let other: [UInt8] = Array("second referenced part".utf8)

    static func payload(digest: [UInt8]? = Array(SHA256.hash(data: document))) -> WirePayload {
        WirePayload(parts: [
            .init(bytes: Array("head".utf8)[...]),
            .init(bytes: document[...], sha256: digest),
            .init(bytes: Array("middle".utf8)[...]),
            .init(bytes: other[...], sha256: Array(SHA256.hash(data: other))),
            .init(bytes: Array("tail".utf8)[...]),
        ])
    }

    func seal(_ payload: WirePayload, secret: ClusterSecret? = nil) -> [UInt8] {
        let size = FrameCodec.frameSize(
            payloadCount: payload.count, sender: "coordinator", digestedParts: payload.digestedPartCount)
        return [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
            FrameCodec.sealUnchecked(
                into: UnsafeMutableRawBufferPointer(buffer), type: 9, flags: 0, payload: payload,
                sender: "coordinator", sequence: 3, timestamp: WallClock.nowMillis(), secret: secret ?? self.secret)
            initialized = size
        }
    }

    @Test func roundTripGivesThePayloadAsOneSequence() throws {
        let frame = seal(Self.payload())
        let envelope = try FrameCodec.open(frame, secret: secret, limits: limits)
        #expect(envelope.payload == Self.payload().joined())
        #expect(envelope.flags & FrameCodec.digestedPartsFlag != 0)
        #expect(envelope.type == 9 && envelope.sender == "coordinator" && envelope.sequence == 3)
    }

    @Test func aWrongDigestFromTheSenderIsRefused() throws {
        let frame = seal(Self.payload(digest: Array(SHA256.hash(data: Self.other))))
        #expect(throws: WireError.authenticationFailed) {
            _ = try FrameCodec.open(frame, secret: secret, limits: limits)
        }
    }

    @Test func aWrongSecretIsRefused() throws {
        #expect(throws: WireError.authenticationFailed) {
            _ = try FrameCodec.open(seal(Self.payload(), secret: TestEnv.otherSecret), secret: secret, limits: limits)
        }
    }

    @Test func everyFlippedByteIsRefused() throws {
        // Small parts keep this exhaustive check quick; the digest table and every digested byte are covered.
        let small = WirePayload(parts: [
            .init(bytes: [1, 2, 3][...]),
            .init(bytes: Array("digested".utf8)[...], sha256: Array(SHA256.hash(data: Array("digested".utf8)))),
            .init(bytes: [4][...]),
        ])
        let frame = seal(small)
        #expect(try FrameCodec.open(frame, secret: secret, limits: limits).payload == small.joined())
        for i in 0..<frame.count {
            var bad = frame
            bad[i] ^= 0x01
            #expect(
                wireError { _ = try FrameCodec.open(bad, secret: secret, limits: limits) } != nil,
                "flip at \(i) accepted")
        }
        for cut in 0..<frame.count {
            #expect(wireError { _ = try FrameCodec.open(Array(frame[0..<cut]), secret: secret, limits: limits) } != nil)
        }
    }

    @Test func aDigestTableOutsideThePayloadIsMalformedNotACrash() throws {
        var frame = seal(Self.payload())
        // Table starts after magic(4) version(2) type(2) flags(2) sender(1+11) seq(8) ts(8) length(4) count(2).
        let firstOffset = 4 + 2 + 2 + 2 + 1 + "coordinator".utf8.count + 8 + 8 + 4 + 2
        frame[firstOffset + 4] = 0xFF
        frame[firstOffset + 5] = 0xFF
        frame[firstOffset + 6] = 0xFF  // length of part 0: huge
        let error = wireError { _ = try FrameCodec.open(frame, secret: secret, limits: limits) }
        guard case .malformed(let why)? = error else {
            Issue.record("expected malformed, got \(String(describing: error))")
            return
        }
        #expect(why.contains("outside"))
    }

    @Test func digestsAreDroppedForEmptyPartsAndTheFrameStillOpens() throws {
        let payload = WirePayload(parts: [
            .init(bytes: [][...], sha256: Array(SHA256.hash(data: [UInt8]()))), .init(bytes: [9][...]),
        ])
        let message = try NNGMessage.sealed(
            type: 1, payload: payload, sender: "c", sequence: 1, secret: secret, limit: 1 << 20)
        defer { message.free() }
        let envelope = try FrameCodec.open(message.body, secret: secret, limits: limits)
        #expect(envelope.payload == [9])
        #expect(envelope.flags & FrameCodec.digestedPartsFlag == 0)
    }
}
