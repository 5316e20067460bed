/// Reader mirroring `WireWriter`. Every read checks bounds first and throws
/// `WireError.malformed("<field>: <problem> at offset N")`; a length larger than the
/// bytes left fails before anything is allocated.
public struct WireReader {
    private let storage: ArraySlice<UInt8>
    /// Bytes consumed so far (relative to the start of the input).
    public private(set) var offset: Int = 0

    public init(_ bytes: [UInt8]) { storage = bytes[...] }
    public init(_ bytes: ArraySlice<UInt8>) { storage = bytes }

    public var remaining: Int { storage.count - offset }
    public var isAtEnd: Bool { offset == storage.count }

    public mutating func u8(_ field: StaticString = "u8") throws(WireError) -> UInt8 {
        try need(1, field)
        let v = storage[storage.startIndex + offset]
        offset += 1
        return v
    }
    public mutating func u16(_ field: StaticString = "u16") throws(WireError) -> UInt16 { try fixed(field) }
    public mutating func u32(_ field: StaticString = "u32") throws(WireError) -> UInt32 { try fixed(field) }
    public mutating func u64(_ field: StaticString = "u64") throws(WireError) -> UInt64 { try fixed(field) }
    public mutating func i32(_ field: StaticString = "i32") throws(WireError) -> Int32 { try fixed(field) }
    public mutating func i64(_ field: StaticString = "i64") throws(WireError) -> Int64 { try fixed(field) }
    public mutating func double(_ field: StaticString = "double") throws(WireError) -> Double {
        Double(bitPattern: try fixed(field))
    }

    public mutating func bool(_ field: StaticString = "bool") throws(WireError) -> Bool {
        let at = offset
        switch try u8(field) {
        case 0: return false
        case 1: return true
        case let b: throw WireError.malformed("\(field): invalid bool byte \(b) at offset \(at)")
        }
    }

    public mutating func varint(_ field: StaticString = "varint") throws(WireError) -> UInt64 {
        let at = offset
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard offset < storage.count else {
                throw WireError.malformed("\(field): truncated varint at offset \(at)")
            }
            let byte = storage[storage.startIndex + offset]
            offset += 1
            // The 10th byte may only carry the top bit of a UInt64.
            if shift == 63 && byte > 1 {
                throw WireError.malformed("\(field): varint overflows 64 bits at offset \(at)")
            }
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
        }
    }

    /// A varint that must fit in `Int` (counts, sizes, indices, offsets). A larger value is
    /// malformed input, not a trap in `Int(_:)`: one bad frame must not kill the receiver
    /// (found by fuzzing, Tests/Fuzz/messages/crashers).
    public mutating func int(_ field: StaticString = "int") throws(WireError) -> Int {
        let at = offset
        let value = try varint(field)
        guard value <= UInt64(Int.max) else {
            throw WireError.malformed("\(field): \(value) at offset \(at) does not fit in Int")
        }
        return Int(value)
    }

    public mutating func zigzag(_ field: StaticString = "zigzag") throws(WireError) -> Int64 {
        let u = try varint(field)
        return Int64(bitPattern: (u >> 1) ^ (0 &- (u & 1)))
    }

    public mutating func string(_ field: StaticString = "string") throws(WireError) -> String {
        let at = offset
        let n = try length(field)
        let start = storage.startIndex + offset
        let s: String? = storage[start..<start + n].withUnsafeBufferPointer { decodeUTF8($0) }
        guard let s else { throw WireError.malformed("\(field): invalid UTF-8 in string at offset \(at)") }
        offset += n
        return s
    }

    /// Length-prefixed bytes, copied once out of the input.
    public mutating func bytes(_ field: StaticString = "bytes") throws(WireError) -> [UInt8] {
        let n = try length(field)
        return try raw(n, field)
    }

    /// Like `bytes`, but a slice sharing the payload's storage (no copy; it
    /// keeps the whole payload alive while it lives).
    public mutating func bytesSlice(_ field: StaticString = "bytes") throws(WireError) -> ArraySlice<UInt8> {
        let n = try length(field)
        try need(n, field)
        let start = storage.startIndex + offset
        offset += n
        return storage[start..<start + n]
    }

    /// `count` bytes without a length prefix.
    public mutating func raw(_ count: Int, _ field: StaticString = "raw") throws(WireError) -> [UInt8] {
        try need(count, field)
        let start = storage.startIndex + offset
        offset += count
        return Array(storage[start..<start + count])
    }

    public mutating func optional<T>(_ field: StaticString = "optional", _ read: (inout WireReader) throws -> T) throws
        -> T?
    {
        try bool(field) ? try read(&self) : nil
    }

    /// A varint count then the elements. The count is checked against the bytes left
    /// (each element needs at least `minElementBytes`) before any allocation.
    public mutating func array<T>(
        _ field: StaticString = "array", minElementBytes: Int = 1,
        _ read: (inout WireReader) throws -> T
    ) throws -> [T] {
        let at = offset
        let count = try varint(field)
        let floor = UInt64(max(minElementBytes, 1))
        guard count <= UInt64(remaining) / floor else {
            throw WireError.malformed(
                "\(field): element count \(count) at offset \(at) exceeds the \(remaining) bytes left")
        }
        var out: [T] = []
        out.reserveCapacity(Int(count))
        for _ in 0..<count { out.append(try read(&self)) }
        return out
    }

    public mutating func message<M: WireMessage>(_ type: M.Type = M.self) throws -> M {
        try M.decode(from: &self)
    }

    // MARK: - helpers

    private mutating func length(_ field: StaticString) throws(WireError) -> Int {
        let at = offset
        let n = try varint(field)
        guard n <= UInt64(remaining) else {
            throw WireError.malformed("\(field): length \(n) at offset \(at) exceeds the \(remaining) bytes left")
        }
        return Int(n)
    }

    private func need(_ n: Int, _ field: StaticString) throws(WireError) {
        guard n >= 0, n <= remaining else {
            throw WireError.malformed("\(field): truncated at offset \(offset): need \(n) bytes, \(remaining) left")
        }
    }

    private mutating func fixed<T: FixedWidthInteger>(_ field: StaticString) throws(WireError) -> T {
        let size = MemoryLayout<T>.size
        try need(size, field)
        let at = offset
        offset += size
        return storage.withUnsafeBytes { T(littleEndian: $0.loadUnaligned(fromByteOffset: at, as: T.self)) }
    }
}

/// Validating UTF-8 decode: nil on invalid input (never replaces bytes silently).
func decodeUTF8(_ buffer: UnsafeBufferPointer<UInt8>) -> String? {
    if #available(macOS 15.0, *) {
        return String(validating: buffer, as: UTF8.self)
    } else {
        let s = String(decoding: buffer, as: UTF8.self)
        return s.utf8.elementsEqual(buffer) ? s : nil
    }
}
