import Foundation

/// Size and clock limits shared by every process of a cluster.
public struct FrameLimits: Sendable, Equatable {
    /// Largest whole frame (header + payload + MAC) accepted or sent. Set as
    /// NNG_OPT_RECVMAXSZ on every receiving socket and checked before every send.
    public var maxMessageBytes: Int = 64 << 20
    /// Largest accepted distance, in seconds, between a frame's timestamp and our clock.
    public var maxClockSkew: Double = 300

    public init(maxMessageBytes: Int = 64 << 20, maxClockSkew: Double = 300) {
        self.maxMessageBytes = maxMessageBytes
        self.maxClockSkew = maxClockSkew
    }
}

/// The 32-byte HMAC of one frame: identifies a frame exactly (used to recognise
/// an nng REQ re-send of the very same request).
public struct FrameMAC: Sendable, Hashable {
    let words: (UInt64, UInt64, UInt64, UInt64)

    init(_ bytes: UnsafeRawBufferPointer) {
        words = (bytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self),
                 bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self),
                 bytes.loadUnaligned(fromByteOffset: 16, as: UInt64.self),
                 bytes.loadUnaligned(fromByteOffset: 24, as: UInt64.self))
    }

    public static func == (a: FrameMAC, b: FrameMAC) -> Bool { a.words == b.words }
    public func hash(into h: inout Hasher) {
        h.combine(words.0); h.combine(words.1); h.combine(words.2); h.combine(words.3)
    }
}

/// An authenticated frame, opened.
public struct Envelope: Sendable {
    public let type: UInt16
    public let flags: UInt16
    public let sender: String
    public let sequence: UInt64
    /// Sender's wall clock when sealed, unix milliseconds.
    public let timestamp: Int64
    public let payload: [UInt8]
    /// The frame's MAC (its exact identity).
    public let mac: FrameMAC
    /// True when `ReplayGuard` recognised this exact frame as a re-send of one already
    /// accepted (nng REQ resends an unanswered request). Handlers must be idempotent.
    public internal(set) var isRetransmission: Bool = false

    /// Decodes the payload as `M`, checking the type code first.
    public func decode<M: WireMessage>(_ type: M.Type = M.self) throws -> M {
        guard self.type == M.typeCode else { throw WireError.unexpectedType(self.type) }
        return try M.decoded(from: payload)
    }
}

/// Frame layout (all integers little-endian):
///
///     magic "GHWH"      4
///     version u16       2   (= 1)
///     type u16          2
///     flags u16         2
///     sender            1 + n   (u8 length, UTF-8, 1...255 bytes)
///     sequence u64      8   (strictly increasing per sender session)
///     timestamp i64     8   (unix ms)
///     payload length    4   (u32)
///     payload           length
///     HMAC-SHA256       32  (over every byte before it, keyed with the cluster secret)
public enum FrameCodec {
    public static let protocolVersion: UInt16 = 1
    public static let maxSenderBytes = 255
    static let magic: (UInt8, UInt8, UInt8, UInt8) = (0x47, 0x48, 0x57, 0x48) // "GHWH"
    /// Header bytes other than the sender id.
    static let fixedHeaderBytes = 4 + 2 + 2 + 2 + 1 + 8 + 8 + 4

    /// Whole frame size for a payload and sender.
    public static func frameSize(payloadCount: Int, sender: String) -> Int {
        fixedHeaderBytes + sender.utf8.count + payloadCount + Authenticator.macBytes
    }

    /// Throws unless `sender` is 1...255 UTF-8 bytes.
    public static func validateSender(_ sender: String) throws(WireError) {
        let n = sender.utf8.count
        guard n >= 1, n <= maxSenderBytes else {
            throw WireError.malformed("sender id '\(sender.prefix(40))' is \(n) UTF-8 bytes; 1...\(maxSenderBytes) allowed")
        }
    }

    /// Seals a payload into a frame. Throws for an invalid sender id or a payload that
    /// does not fit a u32 length.
    public static func seal(type: UInt16, payload: [UInt8], sender: String, sequence: UInt64,
                            secret: ClusterSecret, flags: UInt16 = 0,
                            timestamp: Int64 = WallClock.nowMillis()) throws(WireError) -> [UInt8] {
        try validateSender(sender)
        let size = frameSize(payloadCount: payload.count, sender: sender)
        guard payload.count <= Int(UInt32.max) else { throw WireError.tooLarge(bytes: size, limit: Int(UInt32.max)) }
        return [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
            sealUnchecked(into: UnsafeMutableRawBufferPointer(buffer), type: type, flags: flags, payload: payload,
                          sender: sender, sequence: sequence, timestamp: timestamp, secret: secret)
            initialized = size
        }
    }

    /// Writes a frame into `out`, which must be exactly `frameSize(...)` bytes; the sender
    /// must be valid. Used to seal straight into an nng message (one payload copy).
    static func sealUnchecked(into out: UnsafeMutableRawBufferPointer, type: UInt16, flags: UInt16, payload: [UInt8],
                              sender: String, sequence: UInt64, timestamp: Int64, secret: ClusterSecret) {
        sealUnchecked(into: out, type: type, flags: flags, parts: [payload[...]], sender: sender, sequence: sequence,
                      timestamp: timestamp, secret: secret)
    }

    /// The same with the payload given as consecutive parts (each copied once).
    static func sealUnchecked(into out: UnsafeMutableRawBufferPointer, type: UInt16, flags: UInt16, parts: [ArraySlice<UInt8>],
                              sender: String, sequence: UInt64, timestamp: Int64, secret: ClusterSecret) {
        let payloadCount = parts.reduce(0) { $0 + $1.count }
        var at = 0
        func put<T: FixedWidthInteger>(_ v: T) {
            withUnsafeBytes(of: v.littleEndian) { out.baseAddress!.advanced(by: at).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
            at += MemoryLayout<T>.size
        }
        put(magic.0); put(magic.1); put(magic.2); put(magic.3)
        put(protocolVersion); put(type); put(flags)
        var senderCopy = sender
        senderCopy.withUTF8 { utf8 in
            put(UInt8(utf8.count))
            out.baseAddress!.advanced(by: at).copyMemory(from: utf8.baseAddress!, byteCount: utf8.count)
            at += utf8.count
        }
        put(sequence); put(timestamp); put(UInt32(payloadCount))
        for part in parts {
            part.withUnsafeBytes { p in
                if p.count > 0 { out.baseAddress!.advanced(by: at).copyMemory(from: p.baseAddress!, byteCount: p.count) }
            }
            at += part.count
        }
        Authenticator.mac(UnsafeRawBufferPointer(rebasing: out[0 ..< at]), secret: secret,
                          into: UnsafeMutableRawBufferPointer(rebasing: out[at ..< at + Authenticator.macBytes]))
    }

    /// Opens and authenticates a frame. Checks, in order: size limit, magic, version,
    /// MAC (before trusting any length field), then the header's structure. Freshness
    /// and replay are `ReplayGuard`'s job.
    public static func open(_ bytes: [UInt8], secret: ClusterSecret, limits: FrameLimits) throws(WireError) -> Envelope {
        try bytes.withUnsafeBytes { buffer in
            Result { () throws(WireError) -> Envelope in try open(buffer, secret: secret, limits: limits) }
        }.get()
    }

    /// Opens a frame in place (e.g. in nng's receive buffer); only the payload is copied.
    public static func open(_ bytes: UnsafeRawBufferPointer, secret: ClusterSecret, limits: FrameLimits) throws(WireError) -> Envelope {
        let n = bytes.count
        guard n <= limits.maxMessageBytes else { throw WireError.tooLarge(bytes: n, limit: limits.maxMessageBytes) }
        guard n >= 4 else { throw WireError.malformed("frame of \(n) bytes is shorter than the 4-byte magic") }
        guard bytes[0] == magic.0, bytes[1] == magic.1, bytes[2] == magic.2, bytes[3] == magic.3 else { throw WireError.badMagic }
        guard n >= 6 else { throw WireError.malformed("frame truncated at offset \(n): no protocol version") }
        let version = UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: 4, as: UInt16.self))
        guard version == protocolVersion else { throw WireError.unsupportedVersion(version) }
        let minimum = fixedHeaderBytes + 1 + Authenticator.macBytes
        guard n >= minimum else {
            throw WireError.malformed("frame of \(n) bytes is shorter than the minimum \(minimum)")
        }
        let macStart = n - Authenticator.macBytes
        let macBytes = UnsafeRawBufferPointer(rebasing: bytes[macStart ..< n])
        guard Authenticator.verify(UnsafeRawBufferPointer(rebasing: bytes[0 ..< macStart]), mac: macBytes, secret: secret) else {
            throw WireError.authenticationFailed
        }
        // Authenticated: the fields were written by a holder of the secret, but are still checked.
        func load<T: FixedWidthInteger>(_ at: Int, _: T.Type) -> T { T(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: T.self)) }
        let type = load(6, UInt16.self)
        let flags = load(8, UInt16.self)
        let senderCount = Int(bytes[10])
        guard senderCount >= 1 else { throw WireError.malformed("empty sender id at offset 10") }
        let senderEnd = 11 + senderCount
        guard senderEnd + 20 <= macStart else {
            throw WireError.malformed("sender id of \(senderCount) bytes at offset 10 overruns the frame header")
        }
        guard let sender = decodeUTF8(UnsafeBufferPointer(rebasing: bytes.assumingMemoryBound(to: UInt8.self)[11 ..< senderEnd])) else {
            throw WireError.malformed("sender id at offset 11 is not valid UTF-8")
        }
        let sequence = load(senderEnd, UInt64.self)
        let timestamp = load(senderEnd + 8, Int64.self)
        let payloadCount = Int(load(senderEnd + 16, UInt32.self))
        let payloadStart = senderEnd + 20
        guard payloadStart + payloadCount == macStart else {
            throw WireError.malformed("payload length \(payloadCount) at offset \(senderEnd + 16) does not match the \(macStart - payloadStart) payload bytes present")
        }
        let payload = Array(UnsafeRawBufferPointer(rebasing: bytes[payloadStart ..< macStart]))
        return Envelope(type: type, flags: flags, sender: sender, sequence: sequence, timestamp: timestamp,
                        payload: payload, mac: FrameMAC(macBytes))
    }
}

/// Wall clock in unix milliseconds (frames carry it for the staleness check).
public enum WallClock {
    public static func nowMillis() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded()) }
}
