/// 256-entry table used by `RecordSplitter` inside array elements: everything
/// except quotes and brackets is `plain` and is skipped by a one-load loop.
enum SplitterByteClass {
    static let plain: UInt8 = 0
    static let quote: UInt8 = 1
    static let openObject: UInt8 = 2
    static let openArray: UInt8 = 3
    static let closeObject: UInt8 = 4
    static let closeArray: UInt8 = 5

    /// Built once; read through a pointer so the hot loop does one load per byte.
    // nonisolated(unsafe): written once by the lazy initialiser, read-only afterwards.
    nonisolated(unsafe) static let table: UnsafePointer<UInt8> = {
        let t = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
        t.initialize(repeating: plain, count: 256)
        t[0x22] = quote
        t[0x7B] = openObject
        t[0x5B] = openArray
        t[0x7D] = closeObject
        t[0x5D] = closeArray
        return UnsafePointer(t)
    }()

    /// Bytes that end a scalar token: whitespace and JSON punctuation.
    nonisolated(unsafe) static let scalarTerminator: UnsafePointer<Bool> = {
        let t = UnsafeMutablePointer<Bool>.allocate(capacity: 256)
        t.initialize(repeating: false, count: 256)
        for c in [0x20, 0x09, 0x0A, 0x0D, 0x2C, 0x5D, 0x5B, 0x7B, 0x7D, 0x22, 0x3A] { t[c] = true }
        return UnsafePointer(t)
    }()

    /// May a bare array element start with this byte? Numbers and literals
    /// (and misspelt literals such as `tru`, which the projector rejects per record).
    @inline(__always)
    static func startsScalar(_ c: UInt8) -> Bool {
        c == 0x2D || (c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7A)
    }
}
