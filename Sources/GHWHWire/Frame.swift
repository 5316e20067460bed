import Crypto
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
        words = (
            bytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self),
            bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self),
            bytes.loadUnaligned(fromByteOffset: 16, as: UInt64.self),
            bytes.loadUnaligned(fromByteOffset: 24, as: UInt64.self)
        )
    }

    public static func == (a: FrameMAC, b: FrameMAC) -> Bool { a.words == b.words }
    public func hash(into h: inout Hasher) {
        h.combine(words.0)
        h.combine(words.1)
        h.combine(words.2)
        h.combine(words.3)
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
///     [digest table]        only with flag 0x8000: u16 count (1...64), then per
///                           digested part u32 payload offset, u32 length (ascending, disjoint)
///     payload           length
///     HMAC-SHA256       32  (over every byte before it, keyed with the cluster secret;
///                           a digested part enters the MAC as its 32-byte SHA-256)
///
/// Digested parts are hash-then-MAC: a sender that already knows a large part's
/// SHA-256 (a raw file's content hash) does not hash it again; the receiver
/// hashes the part and the MAC fails unless the bytes are exactly the sender's.
public enum FrameCodec {
    /// Flag bit (reserved for the wire layer): the frame has a digest table.
    public static let digestedPartsFlag: UInt16 = 0x8000
    static let maxDigestedParts = 64
    // 2: worker incarnations, task release, heartbeat stop lists, the backlog in gold results.
    // 3: oversized JSON Lines records in a task's record batch.
    public static let protocolVersion: UInt16 = 3
    public static let maxSenderBytes = 255
    static let magic: (UInt8, UInt8, UInt8, UInt8) = (0x47, 0x48, 0x57, 0x48)  // "GHWH"
    /// Header bytes other than the sender id.
    static let fixedHeaderBytes = 4 + 2 + 2 + 2 + 1 + 8 + 8 + 4

    /// Whole frame size for a payload and sender.
    public static func frameSize(payloadCount: Int, sender: String, digestedParts: Int = 0) -> Int {
        fixedHeaderBytes + sender.utf8.count + (digestedParts > 0 ? 2 + 8 * digestedParts : 0) + payloadCount
            + Authenticator.macBytes
    }

    /// Throws unless `sender` is 1...255 UTF-8 bytes.
    public static func validateSender(_ sender: String) throws(WireError) {
        let n = sender.utf8.count
        guard n >= 1, n <= maxSenderBytes else {
            throw WireError.malformed(
                "sender id '\(sender.prefix(40))' is \(n) UTF-8 bytes; 1...\(maxSenderBytes) allowed")
        }
    }

    /// Seals a payload into a frame. Throws for an invalid sender id or a payload that
    /// does not fit a u32 length.
    public static func seal(
        type: UInt16, payload: [UInt8], sender: String, sequence: UInt64,
        secret: ClusterSecret, flags: UInt16 = 0,
        timestamp: Int64 = WallClock.nowMillis()
    ) throws(WireError) -> [UInt8] {
        try validateSender(sender)
        let size = frameSize(payloadCount: payload.count, sender: sender)
        guard payload.count <= Int(UInt32.max) else { throw WireError.tooLarge(bytes: size, limit: Int(UInt32.max)) }
        return [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
            sealUnchecked(
                into: UnsafeMutableRawBufferPointer(buffer), type: type, flags: flags, payload: payload,
                sender: sender, sequence: sequence, timestamp: timestamp, secret: secret)
            initialized = size
        }
    }

    /// Writes a frame into `out`, which must be exactly `frameSize(...)` bytes; the sender
    /// must be valid. Used to seal straight into an nng message (one payload copy).
    static func sealUnchecked(
        into out: UnsafeMutableRawBufferPointer, type: UInt16, flags: UInt16, payload: [UInt8],
        sender: String, sequence: UInt64, timestamp: Int64, secret: ClusterSecret
    ) {
        sealUnchecked(
            into: out, type: type, flags: flags, payload: WirePayload(payload), sender: sender, sequence: sequence,
            timestamp: timestamp, secret: secret)
    }

    /// The same with the payload as parts (each copied once; digested parts are not hashed here).
    static func sealUnchecked(
        into out: UnsafeMutableRawBufferPointer, type: UInt16, flags: UInt16, payload: WirePayload,
        sender: String, sequence: UInt64, timestamp: Int64, secret: ClusterSecret
    ) {
        let digested = payload.digestedPartCount
        var at = 0
        func put<T: FixedWidthInteger>(_ v: T) {
            withUnsafeBytes(of: v.littleEndian) {
                out.baseAddress!.advanced(by: at).copyMemory(from: $0.baseAddress!, byteCount: $0.count)
            }
            at += MemoryLayout<T>.size
        }
        put(magic.0)
        put(magic.1)
        put(magic.2)
        put(magic.3)
        put(protocolVersion)
        put(type)
        put(digested > 0 ? flags | digestedPartsFlag : flags & ~digestedPartsFlag)
        var senderCopy = sender
        senderCopy.withUTF8 { utf8 in
            put(UInt8(utf8.count))
            out.baseAddress!.advanced(by: at).copyMemory(from: utf8.baseAddress!, byteCount: utf8.count)
            at += utf8.count
        }
        put(sequence)
        put(timestamp)
        put(UInt32(payload.count))
        if digested > 0 {
            put(UInt16(digested))
            var offset = 0
            for part in payload.parts {
                if part.sha256 != nil {
                    put(UInt32(offset))
                    put(UInt32(part.bytes.count))
                }
                offset += part.bytes.count
            }
        }
        let headerEnd = at
        for part in payload.parts {
            part.bytes.withUnsafeBytes { p in
                if p.count > 0 {
                    out.baseAddress!.advanced(by: at).copyMemory(from: p.baseAddress!, byteCount: p.count)
                }
            }
            at += part.bytes.count
        }
        writeMAC(into: out, headerEnd: headerEnd, payload: payload, secret: secret)
    }

    /// Appends the MAC of a frame whose header ends at `headerEnd` and whose payload follows it:
    /// every byte before the MAC, except that each digested part enters as its SHA-256.
    private static func writeMAC(
        into out: UnsafeMutableRawBufferPointer, headerEnd: Int, payload: WirePayload, secret: ClusterSecret
    ) {
        var hmac = Authenticator.start(secret)
        hmac.update(data: UnsafeRawBufferPointer(rebasing: out[0..<headerEnd]))
        var cursor = headerEnd
        for part in payload.parts {
            if let digest = part.sha256 {
                hmac.update(data: digest)
            } else {
                hmac.update(data: UnsafeRawBufferPointer(rebasing: out[cursor..<cursor + part.bytes.count]))
            }
            cursor += part.bytes.count
        }
        let macStart = cursor
        Authenticator.finish(
            hmac, into: UnsafeMutableRawBufferPointer(rebasing: out[macStart..<macStart + Authenticator.macBytes]))
    }

    /// Opens and authenticates a frame. Checks, in order: size limit, magic, version,
    /// MAC (before trusting any length field), then the header's structure. Freshness
    /// and replay are `ReplayGuard`'s job.
    public static func open(_ bytes: [UInt8], secret: ClusterSecret, limits: FrameLimits) throws(WireError) -> Envelope
    {
        try bytes.withUnsafeBytes { buffer in
            Result { () throws(WireError) -> Envelope in try open(buffer, secret: secret, limits: limits) }
        }.get()
    }

    /// Opens a frame in place (e.g. in nng's receive buffer); only the payload is copied.
    public static func open(_ bytes: UnsafeRawBufferPointer, secret: ClusterSecret, limits: FrameLimits)
        throws(WireError) -> Envelope
    {
        try checkSizeMagicAndVersion(bytes, limits: limits)
        let n = bytes.count
        let macStart = n - Authenticator.macBytes
        let macBytes = UnsafeRawBufferPointer(rebasing: bytes[macStart..<n])
        func load<T: FixedWidthInteger>(_ at: Int, _: T.Type) -> T {
            T(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: T.self))
        }
        let flags = load(8, UInt16.self)
        // With a digest table the MAC input depends on it, so the table is read
        // (bounds-checked) first; a forged table only makes the MAC fail.
        let table = flags & digestedPartsFlag != 0 ? try digestTable(bytes, macStart: macStart) : nil
        try authenticate(bytes, macStart: macStart, table: table, secret: secret)
        // Authenticated: the fields were written by a holder of the secret, but are still checked.
        let type = load(6, UInt16.self)
        let senderCount = Int(bytes[10])
        guard senderCount >= 1 else { throw WireError.malformed("empty sender id at offset 10") }
        let senderEnd = 11 + senderCount
        guard senderEnd + 20 <= macStart else {
            throw WireError.malformed("sender id of \(senderCount) bytes at offset 10 overruns the frame header")
        }
        guard
            let sender = decodeUTF8(
                UnsafeBufferPointer(rebasing: bytes.assumingMemoryBound(to: UInt8.self)[11..<senderEnd]))
        else {
            throw WireError.malformed("sender id at offset 11 is not valid UTF-8")
        }
        let sequence = load(senderEnd, UInt64.self)
        let timestamp = load(senderEnd + 8, Int64.self)
        let payloadCount = Int(load(senderEnd + 16, UInt32.self))
        let payloadStart = table?.payloadStart ?? senderEnd + 20
        guard payloadStart + payloadCount == macStart else {
            throw WireError.malformed(
                "payload length \(payloadCount) at offset \(senderEnd + 16) does not match the \(macStart - payloadStart) payload bytes present"
            )
        }
        let payload = Array(UnsafeRawBufferPointer(rebasing: bytes[payloadStart..<macStart]))
        return Envelope(
            type: type, flags: flags, sender: sender, sequence: sequence, timestamp: timestamp,
            payload: payload, mac: FrameMAC(macBytes))
    }

    /// The checks before the MAC: size limit, magic, version, and room for a header and a MAC.
    private static func checkSizeMagicAndVersion(_ bytes: UnsafeRawBufferPointer, limits: FrameLimits)
        throws(WireError)
    {
        let n = bytes.count
        guard n <= limits.maxMessageBytes else { throw WireError.tooLarge(bytes: n, limit: limits.maxMessageBytes) }
        guard n >= 4 else { throw WireError.malformed("frame of \(n) bytes is shorter than the 4-byte magic") }
        guard bytes[0] == magic.0, bytes[1] == magic.1, bytes[2] == magic.2, bytes[3] == magic.3 else {
            throw WireError.badMagic
        }
        guard n >= 6 else { throw WireError.malformed("frame truncated at offset \(n): no protocol version") }
        let version = UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: 4, as: UInt16.self))
        guard version == protocolVersion else { throw WireError.unsupportedVersion(version) }
        let minimum = fixedHeaderBytes + 1 + Authenticator.macBytes
        guard n >= minimum else {
            throw WireError.malformed("frame of \(n) bytes is shorter than the minimum \(minimum)")
        }
    }

    /// Throws unless the MAC at `macStart` covers every byte before it, except that each digested part
    /// enters as its SHA-256.
    private static func authenticate(
        _ bytes: UnsafeRawBufferPointer, macStart: Int, table: (payloadStart: Int, ranges: [Range<Int>])?,
        secret: ClusterSecret
    ) throws(WireError) {
        var hmac = Authenticator.start(secret)
        var cursor = 0
        for range in table?.ranges ?? [] {
            let start = table!.payloadStart + range.lowerBound
            let end = table!.payloadStart + range.upperBound
            hmac.update(data: UnsafeRawBufferPointer(rebasing: bytes[cursor..<start]))
            hmac.update(data: Array(SHA256.hash(data: UnsafeRawBufferPointer(rebasing: bytes[start..<end]))))
            cursor = end
        }
        hmac.update(data: UnsafeRawBufferPointer(rebasing: bytes[cursor..<macStart]))
        let macBytes = UnsafeRawBufferPointer(rebasing: bytes[macStart..<bytes.count])
        guard Authenticator.check(hmac, against: macBytes) else { throw WireError.authenticationFailed }
    }
}

extension FrameCodec {
    /// Where a frame's payload starts and which payload ranges enter its MAC
    /// as digests; every offset is checked against the frame's size.
    static func digestTable(_ bytes: UnsafeRawBufferPointer, macStart: Int) throws(WireError)
        -> (payloadStart: Int, ranges: [Range<Int>])
    {
        func load<T: FixedWidthInteger>(_ at: Int, _: T.Type) -> T {
            T(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: T.self))
        }
        let senderEnd = 11 + Int(bytes[10])
        guard senderEnd + 22 <= macStart else {
            throw WireError.malformed("digest table at offset \(senderEnd + 20) overruns the frame")
        }
        let payloadCount = Int(load(senderEnd + 16, UInt32.self))
        let count = Int(load(senderEnd + 20, UInt16.self))
        guard (1...maxDigestedParts).contains(count) else {
            throw WireError.malformed(
                "digest table of \(count) parts at offset \(senderEnd + 20); 1...\(maxDigestedParts) allowed")
        }
        let payloadStart = senderEnd + 22 + 8 * count
        guard payloadStart + payloadCount == macStart else {
            throw WireError.malformed(
                "payload length \(payloadCount) at offset \(senderEnd + 16) does not match the frame's size")
        }
        var ranges: [Range<Int>] = []
        var previousEnd = 0
        for i in 0..<count {
            let offset = Int(load(senderEnd + 22 + 8 * i, UInt32.self))
            let length = Int(load(senderEnd + 26 + 8 * i, UInt32.self))
            guard offset >= previousEnd, length > 0, offset + length <= payloadCount else {
                throw WireError.malformed(
                    "digested part \(i) (\(offset)+\(length)) is out of order or outside the \(payloadCount)-byte payload"
                )
            }
            ranges.append(offset..<offset + length)
            previousEnd = offset + length
        }
        return (payloadStart, ranges)
    }
}

/// A frame payload as consecutive parts. A part may carry the SHA-256 of its
/// bytes when the sender knows it already (a raw file's content hash): the
/// frame's MAC then covers that digest instead of the bytes.
public struct WirePayload: Sendable {
    public struct Part: Sendable {
        public var bytes: ArraySlice<UInt8>
        /// SHA-256 of `bytes`, if known. A wrong digest makes the receiver refuse the frame.
        public var sha256: [UInt8]?
        public init(bytes: ArraySlice<UInt8>, sha256: [UInt8]? = nil) {
            self.bytes = bytes
            self.sha256 = sha256
        }
    }
    public var parts: [Part]

    public init(_ bytes: [UInt8]) { parts = [Part(bytes: bytes[...])] }
    public init(parts: [Part]) { self.parts = parts }

    public var count: Int { parts.reduce(0) { $0 + $1.bytes.count } }
    /// Digests are used only for non-empty parts, and at most 64 per frame.
    var digestedPartCount: Int { parts.filter { $0.sha256 != nil }.count }

    /// The payload in one array.
    public func joined() -> [UInt8] {
        var all: [UInt8] = []
        all.reserveCapacity(count)
        for part in parts { all.append(contentsOf: part.bytes) }
        return all
    }
}

/// Wall clock in unix milliseconds (frames carry it for the staleness check).
public enum WallClock {
    public static func nowMillis() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded()) }
}
