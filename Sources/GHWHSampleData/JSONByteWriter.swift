/// Writes JSON text straight into a byte buffer, pretty-printed (2-space indent, like the
/// GitHub API) or compact, without building an intermediate object tree.
///
/// The buffer can be drained (`takeBytes`) between records while the nesting state is kept,
/// so a document of any size is produced in bounded memory.
struct JSONByteWriter {
    /// The bytes produced since the last drain.
    var bytes: [UInt8] = []
    /// Pretty-print with newlines and 2-space indentation.
    let pretty: Bool
    /// Write every non-ASCII character as `\uXXXX` (surrogate pairs above U+FFFF),
    /// as many JSON producers (Python's default, old API dumps) do.
    var asciiOnly = false

    private var depth = 0
    /// Bit i set: the container at depth i already has an element.
    private var hasElement: UInt64 = 0

    init(pretty: Bool, capacity: Int = 1 << 20) {
        self.pretty = pretty
        bytes.reserveCapacity(capacity)
    }

    // MARK: containers

    mutating func beginObject() {
        beforeValue()
        bytes.append(0x7B)
        push()
    }
    mutating func endObject() { pop(close: 0x7D) }
    mutating func beginArray() {
        beforeValue()
        bytes.append(0x5B)
        push()
    }
    mutating func endArray() { pop(close: 0x5D) }

    /// Writes `"name": ` (or `"name":`) inside an object. Keys are plain ASCII literals.
    mutating func key(_ name: StaticString) {
        separator()
        bytes.append(0x22)
        name.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(0x22)
        bytes.append(0x3A)
        if pretty { bytes.append(0x20) }
        pendingKey = true
    }

    // MARK: scalars

    mutating func string(_ value: String) {
        beforeValue()
        bytes.append(0x22)
        appendEscaped(value)
        bytes.append(0x22)
    }

    mutating func string(_ value: String?) {
        if let value { string(value) } else { null() }
    }

    mutating func int(_ value: Int) {
        beforeValue()
        appendInt(value)
    }

    mutating func bool(_ value: Bool) {
        beforeValue()
        if value { append("true") } else { append("false") }
    }

    mutating func null() {
        beforeValue()
        append("null")
    }

    mutating func timestamp(_ seconds: Int64?) {
        guard let seconds else {
            null()
            return
        }
        beforeValue()
        bytes.append(0x22)
        IsoTimestamp.append(seconds, to: &bytes)
        bytes.append(0x22)
    }

    // MARK: strings built from parts (URLs and the like), without allocating a String

    mutating func beginString() {
        beforeValue()
        bytes.append(0x22)
    }
    mutating func fragment(_ text: StaticString) { text.withUTF8Buffer { bytes.append(contentsOf: $0) } }
    mutating func fragment(_ text: String) { appendEscaped(text) }
    mutating func fragment(_ number: Int) { appendInt(number) }
    mutating func endString() { bytes.append(0x22) }

    /// Appends raw, already valid JSON text for a value (used for cached sub-objects).
    mutating func rawValue(_ raw: [UInt8]) {
        beforeValue()
        bytes.append(contentsOf: raw)
    }

    /// Appends bytes outside any value (e.g. the newline between JSON Lines records).
    mutating func raw(_ text: StaticString) { text.withUTF8Buffer { bytes.append(contentsOf: $0) } }

    /// Current nesting depth (the indentation level of the next element).
    var currentDepth: Int { depth }

    /// Hands out the bytes written so far and clears the buffer, keeping its capacity.
    mutating func drain(into consume: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        try bytes.withUnsafeBytes { try consume($0) }
        bytes.removeAll(keepingCapacity: true)
    }

    // MARK: layout internals

    private var pendingKey = false

    @inline(__always)
    private mutating func beforeValue() {
        if pendingKey {
            pendingKey = false
            return
        }
        separator()
    }

    @inline(__always)
    private mutating func separator() {
        guard depth > 0 else { return }
        let bit: UInt64 = 1 << UInt64(depth)
        if hasElement & bit != 0 { bytes.append(0x2C) } else { hasElement |= bit }
        if pretty { newline(indent: depth) }
    }

    @inline(__always)
    private mutating func push() {
        depth += 1
        precondition(depth < 64, "JSON nesting too deep for the sample writer")
        hasElement &= ~(1 << UInt64(depth))
    }

    @inline(__always)
    private mutating func pop(close: UInt8) {
        let bit: UInt64 = 1 << UInt64(depth)
        let nonEmpty = hasElement & bit != 0
        depth -= 1
        if pretty && nonEmpty { newline(indent: depth) }
        bytes.append(close)
    }

    private static let spaces = [UInt8](repeating: 0x20, count: 128)

    @inline(__always)
    private mutating func newline(indent: Int) {
        bytes.append(0x0A)
        JSONByteWriter.spaces.withUnsafeBufferPointer { bytes.append(contentsOf: $0.prefix(indent * 2)) }
    }

    @inline(__always)
    private mutating func append(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    private mutating func appendInt(_ value: Int) {
        if value < 0 { bytes.append(0x2D) }
        var magnitude = value.magnitude
        var digits:
            (
                UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8
            ) =
                (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        withUnsafeMutableBytes(of: &digits) { buffer in
            repeat {
                buffer[19 - count] = UInt8(48 + magnitude % 10)
                magnitude /= 10
                count += 1
            } while magnitude > 0
            bytes.append(contentsOf: buffer[(20 - count)...])
        }
    }

    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    private mutating func appendEscaped(_ value: String) {
        var value = value
        value.withUTF8 { utf8 in
            // Fast path: nothing to escape, copy the whole run.
            var clean = true
            for b in utf8 where b < 0x20 || b == 0x22 || b == 0x5C || (asciiOnly && b >= 0x80) {
                clean = false
                break
            }
            if clean {
                bytes.append(contentsOf: utf8)
                return
            }
            if asciiOnly {
                appendEscapedScalars(String(decoding: utf8, as: UTF8.self))
                return
            }
            for b in utf8 { appendEscapedByte(b) }
        }
    }

    @inline(__always)
    private mutating func appendEscapedByte(_ b: UInt8) {
        switch b {
        case 0x22:
            bytes.append(0x5C)
            bytes.append(0x22)
        case 0x5C:
            bytes.append(0x5C)
            bytes.append(0x5C)
        case 0x0A:
            bytes.append(0x5C)
            bytes.append(0x6E)
        case 0x0D:
            bytes.append(0x5C)
            bytes.append(0x72)
        case 0x09:
            bytes.append(0x5C)
            bytes.append(0x74)
        case 0x08:
            bytes.append(0x5C)
            bytes.append(0x62)
        case 0x0C:
            bytes.append(0x5C)
            bytes.append(0x66)
        case 0..<0x20: appendUnicodeEscape(UInt16(b))
        default: bytes.append(b)
        }
    }

    private mutating func appendEscapedScalars(_ value: String) {
        for scalar in value.unicodeScalars {
            let v = scalar.value
            if v < 0x80 {
                appendEscapedByte(UInt8(v))
            } else if v <= 0xFFFF {
                appendUnicodeEscape(UInt16(v))
            } else {
                let u = v - 0x10000
                appendUnicodeEscape(UInt16(0xD800 + (u >> 10)))
                appendUnicodeEscape(UInt16(0xDC00 + (u & 0x3FF)))
            }
        }
    }

    private mutating func appendUnicodeEscape(_ unit: UInt16) {
        bytes.append(0x5C)
        bytes.append(0x75)
        bytes.append(JSONByteWriter.hex[Int(unit >> 12)])
        bytes.append(JSONByteWriter.hex[Int((unit >> 8) & 0xF)])
        bytes.append(JSONByteWriter.hex[Int((unit >> 4) & 0xF)])
        bytes.append(JSONByteWriter.hex[Int(unit & 0xF)])
    }
}
