/// A message that travels inside a frame's payload. The lead's concrete message types
/// conform to this; `typeCode` goes into the frame header so a receiver can dispatch
/// before decoding.
public protocol WireMessage: Sendable {
    /// Unique per message type. Codes 0xFF00...0xFFFF are reserved for the wire layer.
    static var typeCode: UInt16 { get }
    func encode(into writer: inout WireWriter)
    static func decode(from reader: inout WireReader) throws -> Self
}

extension WireMessage {
    /// The message encoded alone (the payload of a frame).
    public func encoded() -> [UInt8] {
        var writer = WireWriter()
        encode(into: &writer)
        return writer.joined()
    }

    /// The payload as consecutive parts: large byte fields written with
    /// `bytesByReference` stay where they are, so sealing copies them once,
    /// straight into the frame (and does not hash a part whose digest is given).
    public func encodedPayload() -> WirePayload {
        var writer = WireWriter()
        encode(into: &writer)
        return writer.payload
    }

    /// Decodes a whole payload, insisting that nothing is left over.
    public static func decoded(from payload: [UInt8]) throws -> Self {
        var reader = WireReader(payload)
        let value = try decode(from: &reader)
        guard reader.isAtEnd else {
            throw WireError.malformed("\(Self.self): \(reader.remaining) trailing bytes at offset \(reader.offset)")
        }
        return value
    }
}

/// Compact little-endian binary writer. Lengths and counts are LEB128 varints.
///
/// Layout rules (the reader mirrors them): fixed-width integers little-endian;
/// `bool` one byte 0/1; `double` the IEEE-754 bit pattern as u64; `string` and `bytes`
/// a varint byte length then the bytes; `optional` a 0/1 byte then the value; `array`
/// a varint count then the elements.
public struct WireWriter: Sendable {
    public private(set) var bytes: [UInt8]
    /// Parts finished before `bytes` (see `bytesByReference`).
    private var finished: [WirePayload.Part] = []

    public init(reservingCapacity capacity: Int = 64) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    public mutating func u8(_ v: UInt8) { bytes.append(v) }
    public mutating func u16(_ v: UInt16) { fixed(v) }
    public mutating func u32(_ v: UInt32) { fixed(v) }
    public mutating func u64(_ v: UInt64) { fixed(v) }
    public mutating func i32(_ v: Int32) { fixed(v) }
    public mutating func i64(_ v: Int64) { fixed(v) }
    public mutating func bool(_ v: Bool) { bytes.append(v ? 1 : 0) }
    public mutating func double(_ v: Double) { fixed(v.bitPattern) }

    /// Unsigned LEB128: 1 byte below 128, at most 10 bytes.
    public mutating func varint(_ v: UInt64) {
        var v = v
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    /// Zig-zag signed varint, for small signed numbers.
    public mutating func zigzag(_ v: Int64) {
        varint(UInt64(bitPattern: (v << 1) ^ (v >> 63)))
    }

    public mutating func string(_ s: String) {
        var s = s
        s.withUTF8 { utf8 in
            varint(UInt64(utf8.count))
            bytes.append(contentsOf: utf8)
        }
    }

    /// Length-prefixed bytes (copied once into the output).
    public mutating func bytes(_ b: [UInt8]) { bytes(b[...]) }

    public mutating func bytes(_ b: ArraySlice<UInt8>) {
        varint(UInt64(b.count))
        bytes.append(contentsOf: b)
    }

    /// Same encoding as `bytes(_:)`, but the bytes are referenced, not copied
    /// (for MB-sized fields: `parts` hands them to the sealer as they are).
    /// `sha256`, if given, must be the digest of `b` (a raw file's content
    /// hash): the frame's MAC then uses it instead of hashing `b` again.
    public mutating func bytesByReference(_ b: ArraySlice<UInt8>, sha256: [UInt8]? = nil) {
        varint(UInt64(b.count))
        finished.append(WirePayload.Part(bytes: bytes[...]))
        finished.append(WirePayload.Part(bytes: b, sha256: sha256))
        bytes = []
    }

    /// `bytesByReference` for a field of at least `minimum` bytes, `bytes`
    /// below it: a small field costs less copied than as parts of its own.
    /// The encoding is the same either way.
    public mutating func bytesByReferenceIfLarge(_ b: ArraySlice<UInt8>, minimum: Int = 64 << 10) {
        if b.count >= minimum { bytesByReference(b) } else { bytes(b) }
    }

    /// Everything written, as consecutive parts.
    public var payload: WirePayload { WirePayload(parts: finished + [WirePayload.Part(bytes: bytes[...])]) }

    /// Everything written, in one array (copies referenced parts).
    public func joined() -> [UInt8] {
        finished.isEmpty ? bytes : payload.joined()
    }

    /// Bytes without a length prefix (the reader must know the length).
    public mutating func raw(_ b: some Sequence<UInt8>) { bytes.append(contentsOf: b) }

    public mutating func optional<T>(_ v: T?, _ write: (inout WireWriter, T) -> Void) {
        if let v {
            bytes.append(1)
            write(&self, v)
        } else {
            bytes.append(0)
        }
    }

    public mutating func array<T>(_ vs: some Collection<T>, _ write: (inout WireWriter, T) -> Void) {
        varint(UInt64(vs.count))
        for v in vs { write(&self, v) }
    }

    /// A nested message (no type code, no length prefix).
    public mutating func message<M: WireMessage>(_ m: M) { m.encode(into: &self) }

    public mutating func reserveCapacity(_ n: Int) { bytes.reserveCapacity(n) }

    private mutating func fixed<T: FixedWidthInteger>(_ v: T) {
        withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) }
    }
}
