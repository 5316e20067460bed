import GHWHCalendar

/// What the COPY writers have in common: one value method per column, then
/// `endRow()`. (The encoders call the concrete writers, which specialise;
/// this lets one row be written both ways, as the round-trip tests do.)
public protocol CopyRowWriter: Sendable {
    var bytes: [UInt8] { get }
    var rowCount: Int { get }
    mutating func text(_ s: String?)
    mutating func int(_ v: Int64?)
    mutating func bool(_ v: Bool?)
    mutating func timestamp(microsecondsSinceEpoch v: Int64?)
    mutating func date(_ isoDate: String?)
    mutating func textArray(_ values: [String]?)
    mutating func endRow()
}

/// Encodes rows in PostgreSQL's binary COPY format (each row a field count,
/// each field a length and the type's binary form, -1 for NULL) for the
/// silver stages: the server reads integers, timestamps, dates and arrays
/// without parsing text (COPY of the silver rows costs it about half as
/// much). The rows carry no header or trailer, so the rows of several
/// outputs concatenate; `PGConnection.copyIn` wraps them (`header`, `trailer`).
///
/// Call one value method per column, then `endRow()`. Values are stored as
/// the text writer's would be once the server parsed them (`CopyTextWriter`;
/// the round-trip tests hold the two to that).
public struct CopyBinaryWriter: CopyRowWriter {
    /// The encoded rows so far.
    public private(set) var bytes: [UInt8]
    /// Rows ended with `endRow()`.
    public private(set) var rowCount: Int
    /// Where the current row's field count goes, and the count so far.
    private var rowStart: Int?
    private var fields: Int16 = 0

    /// The signature, flags and header extension length that open binary COPY data.
    public static let header: [UInt8] =
        Array("PGCOPY\n".utf8) + [0xFF, 0x0D, 0x0A, 0x00] + [0, 0, 0, 0] + [0, 0, 0, 0]
    /// The field count -1 that ends binary COPY data.
    public static let trailer: [UInt8] = [0xFF, 0xFF]

    /// PostgreSQL's epoch (2000-01-01) in the Unix epoch's days and microseconds.
    static let postgresEpochDays = 10_957
    static let postgresEpochMicros: Int64 = 946_684_800_000_000
    /// `text`'s type OID, which each array element names.
    static let textOID: Int32 = 25

    public init(reservingCapacity: Int = 1 << 16) {
        bytes = []
        bytes.reserveCapacity(reservingCapacity)
        rowCount = 0
    }

    // MARK: - Values

    /// A text value; nil is NULL. NUL characters become U+FFFD (PostgreSQL text cannot hold NUL).
    public mutating func text(_ s: String?) {
        guard var s else { return null() }
        beginField()
        let lengthAt = bytes.count
        put(Int32(0))
        s.withUTF8 { appendText($0) }
        patchLength(at: lengthAt)
    }

    /// A `bigint` value; nil is NULL.
    public mutating func int(_ v: Int64?) {
        guard let v else { return null() }
        beginField()
        put(Int32(8))
        put(v)
    }

    /// A boolean value; nil is NULL.
    public mutating func bool(_ v: Bool?) {
        guard let v else { return null() }
        beginField()
        put(Int32(1))
        bytes.append(v ? 1 : 0)
    }

    /// A `timestamptz` value; nil is NULL. (The server refuses one out of its range, as it
    /// refuses the text writer's.)
    public mutating func timestamp(microsecondsSinceEpoch v: Int64?) {
        guard let v else { return null() }
        beginField()
        put(Int32(8))
        put(v &- Self.postgresEpochMicros)
    }

    /// A `date` value in `YYYY-MM-DD` form; nil is NULL, and so is a malformed one, which
    /// the stages' NOT NULL column then refuses (the text writer leaves it to the server too).
    public mutating func date(_ isoDate: String?) {
        guard let isoDate, let days = Self.days(iso: isoDate) else { return null() }
        beginField()
        put(Int32(4))
        put(Int32(truncatingIfNeeded: days - Self.postgresEpochDays))
    }

    /// A `text[]` value (one dimension, from 1; `[]` is the empty array); nil is NULL.
    public mutating func textArray(_ values: [String]?) {
        guard let values else { return null() }
        beginField()
        let lengthAt = bytes.count
        put(Int32(0))
        put(Int32(values.isEmpty ? 0 : 1))  // dimensions
        put(Int32(0))  // no NULL elements
        put(Self.textOID)
        if !values.isEmpty {
            put(Int32(values.count))
            put(Int32(1))  // lower bound
            for var element in values {
                let elementAt = bytes.count
                put(Int32(0))
                element.withUTF8 { appendText($0) }
                patchLength(at: elementAt)
            }
        }
        patchLength(at: lengthAt)
    }

    /// Ends the current row.
    public mutating func endRow() {
        if rowStart == nil { beginRow() }
        let count = fields.bigEndian
        withUnsafeBytes(of: count) { count in
            bytes.withUnsafeMutableBytes {
                $0.baseAddress!.advanced(by: rowStart!).copyMemory(from: count.baseAddress!, byteCount: 2)
            }
        }
        rowStart = nil
        fields = 0
        rowCount += 1
    }

    /// Forgets all rows, e.g. after a batch was sent.
    public mutating func removeAll(keepingCapacity: Bool) {
        bytes.removeAll(keepingCapacity: keepingCapacity)
        rowCount = 0
        rowStart = nil
        fields = 0
    }

    // MARK: - Encoding

    private mutating func beginRow() {
        rowStart = bytes.count
        put(Int16(0))  // the field count, set by endRow
    }

    private mutating func beginField() {
        if rowStart == nil { beginRow() }
        fields += 1
    }

    private mutating func null() {
        beginField()
        put(Int32(-1))
    }

    @inline(__always)
    private mutating func put<T: FixedWidthInteger>(_ v: T) {
        withUnsafeBytes(of: v.bigEndian) { bytes.append(contentsOf: $0) }
    }

    /// Sets the length field at `at` to the bytes written after it.
    private mutating func patchLength(at: Int) {
        let length = Int32(bytes.count - at - 4).bigEndian
        withUnsafeBytes(of: length) { length in
            bytes.withUnsafeMutableBytes {
                $0.baseAddress!.advanced(by: at).copyMemory(from: length.baseAddress!, byteCount: 4)
            }
        }
    }

    /// UTF-8 bytes with each NUL replaced by U+FFFD.
    private mutating func appendText(_ utf8: UnsafeBufferPointer<UInt8>) {
        guard utf8.contains(0) else { return bytes.append(contentsOf: utf8) }
        for byte in utf8 {
            if byte == 0 { bytes.append(contentsOf: [0xEF, 0xBF, 0xBD]) } else { bytes.append(byte) }
        }
    }

    /// Days since the Unix epoch of a valid `YYYY-MM-DD`, or nil. (Read in place: every row of a task has one.)
    static func days(iso: String) -> Int? {
        var iso = iso
        return iso.withUTF8 { u -> Int? in
            guard u.count == 10, u[4] == UInt8(ascii: "-"), u[7] == UInt8(ascii: "-") else { return nil }
            func number(_ range: Range<Int>) -> Int? {
                var n = 0
                for i in range {
                    guard u[i] >= UInt8(ascii: "0"), u[i] <= UInt8(ascii: "9") else { return nil }
                    n = n * 10 + Int(u[i] - UInt8(ascii: "0"))
                }
                return n
            }
            guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
                CivilCalendar.isValid(year: year, month: month, day: day)
            else { return nil }
            return CivilCalendar.daysFromCivil(year: year, month: month, day: day)
        }
    }
}
