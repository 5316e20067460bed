/// One central-directory record of a zip archive: what is needed to find and check an entry's data.
struct ZipEntryRecord: Sendable, Hashable {
    var path: String
    var isFile: Bool
    var flags: UInt16
    var method: UInt16
    var crc32: UInt32
    var compressedSize: UInt64
    var uncompressedSize: UInt64
    var localHeaderOffset: UInt64
}

/// Reads a zip archive's central directory (ZIP64 included) with bounds checks on every field,
/// so a damaged archive gives a `RawReadError` naming the byte offset instead of a hang or a crash.
enum ZipDirectory {
    private static let endRecordSize = 22
    private static let maximumCommentSize = 0xFFFF
    /// A larger directory is taken as corruption rather than read into memory (about 2 million entries).
    private static let maximumDirectorySize: UInt64 = 256 << 20

    static func read(_ file: ReadOnlyFile) throws(RawReadError) -> [ZipEntryRecord] {
        let fileSize = try file.size()
        let end = try findEndRecord(file, fileSize: fileSize)
        guard end.directoryOffset <= UInt64(end.recordOffset),
            end.directorySize <= UInt64(end.recordOffset) - end.directoryOffset
        else {
            throw RawReadError(
                source: file.source,
                reason: "zip central directory (offset \(end.directoryOffset), "
                    + "\(end.directorySize) bytes) does not fit before its end record at byte offset \(end.recordOffset)"
            )
        }
        guard end.directorySize <= maximumDirectorySize else {
            throw RawReadError(
                source: file.source,
                reason:
                    "zip central directory of \(end.directorySize) bytes exceeds the \(maximumDirectorySize)-byte limit"
            )
        }
        let directory = try file.readExactly(
            Int(end.directorySize), at: Int64(end.directoryOffset),
            what: "zip central directory")
        var records: [ZipEntryRecord] = []
        var cursor = 0
        while cursor < directory.count {
            let position = Int64(end.directoryOffset) + Int64(cursor)
            let (record, length) = try parseRecord(directory, at: cursor, filePosition: position, source: file.source)
            records.append(record)
            cursor += length
        }
        guard UInt64(records.count) == end.entryCount else {
            throw RawReadError(
                source: file.source,
                reason:
                    "zip central directory holds \(records.count) records but its end record says \(end.entryCount)")
        }
        return records
    }

    /// The byte offset where an entry's data starts, read from its local header.
    static func dataOffset(of record: ZipEntryRecord, in file: ReadOnlyFile) throws(RawReadError) -> Int64 {
        let position = Int64(clamping: record.localHeaderOffset)
        let header = try file.readExactly(30, at: position, what: "zip local header of \(record.path)")
        guard header.le32(0) == 0x0403_4b50 else {
            throw RawReadError(source: file.source, reason: "no zip local header signature at byte offset \(position)")
        }
        return position + 30 + Int64(header.le16(26)) + Int64(header.le16(28))
    }

    private struct EndRecord {
        var recordOffset: Int64
        var entryCount: UInt64
        var directorySize: UInt64
        var directoryOffset: UInt64
    }

    /// Finds the end-of-central-directory record (searching back over a possible comment) and,
    /// when its fields overflow, the ZIP64 end record it points to.
    private static func findEndRecord(_ file: ReadOnlyFile, fileSize: Int64) throws(RawReadError) -> EndRecord {
        let tailLength = Int(min(fileSize, Int64(endRecordSize + maximumCommentSize)))
        guard tailLength >= endRecordSize else {
            throw RawReadError(
                source: file.source,
                reason:
                    "not a zip: \(fileSize) bytes is too short for an end-of-central-directory record")
        }
        let tailStart = fileSize - Int64(tailLength)
        let tail = try file.readExactly(tailLength, at: tailStart, what: "zip end record search area")
        var candidate = tailLength - endRecordSize
        while candidate >= 0 {
            if tail.le32(candidate) == 0x0605_4b50,
                candidate + endRecordSize + Int(tail.le16(candidate + 20)) <= tailLength
            {
                break
            }
            candidate -= 1
        }
        guard candidate >= 0 else {
            throw RawReadError(
                source: file.source,
                reason:
                    "unreadable zip: no end-of-central-directory record (truncated or not a zip)")
        }
        let recordOffset = tailStart + Int64(candidate)
        var end = EndRecord(
            recordOffset: recordOffset, entryCount: UInt64(tail.le16(candidate + 10)),
            directorySize: UInt64(tail.le32(candidate + 12)),
            directoryOffset: UInt64(tail.le32(candidate + 16)))
        let overflows =
            end.entryCount == 0xFFFF || end.directorySize == 0xFFFF_FFFF
            || end.directoryOffset == 0xFFFF_FFFF
        guard overflows, recordOffset >= 20 else { return end }
        let locator = try file.readExactly(20, at: recordOffset - 20, what: "zip64 end locator")
        guard locator.le32(0) == 0x0706_4b50 else { return end }
        let zip64Offset = Int64(clamping: locator.le64(8))
        let zip64 = try file.readExactly(56, at: zip64Offset, what: "zip64 end record")
        guard zip64.le32(0) == 0x0606_4b50 else {
            throw RawReadError(
                source: file.source, reason: "no zip64 end record signature at byte offset \(zip64Offset)")
        }
        end.recordOffset = zip64Offset
        end.entryCount = zip64.le64(32)
        end.directorySize = zip64.le64(40)
        end.directoryOffset = zip64.le64(48)
        return end
    }

    /// Parses the record at `cursor`; returns it and its length in bytes.
    private static func parseRecord(
        _ bytes: [UInt8], at cursor: Int, filePosition: Int64,
        source: String
    ) throws(RawReadError) -> (ZipEntryRecord, Int) {
        func fail(_ what: String) -> RawReadError {
            RawReadError(
                source: source, reason: "bad zip central directory record at byte offset \(filePosition): \(what)")
        }
        guard bytes.count - cursor >= 46 else { throw fail("record cut short") }
        guard bytes.le32(cursor) == 0x0201_4b50 else { throw fail("missing signature") }
        let nameLength = Int(bytes.le16(cursor + 28))
        let extraLength = Int(bytes.le16(cursor + 30))
        let commentLength = Int(bytes.le16(cursor + 32))
        let length = 46 + nameLength + extraLength + commentLength
        guard bytes.count - cursor >= length else { throw fail("name, extra field or comment runs past the directory") }
        let flags = bytes.le16(cursor + 8)
        let nameBytes = Array(bytes[(cursor + 46)..<(cursor + 46 + nameLength)])
        var record = ZipEntryRecord(
            path: decodeName(nameBytes), isFile: true, flags: flags, method: bytes.le16(cursor + 10),
            crc32: bytes.le32(cursor + 16), compressedSize: UInt64(bytes.le32(cursor + 20)),
            uncompressedSize: UInt64(bytes.le32(cursor + 24)), localHeaderOffset: UInt64(bytes.le32(cursor + 42)))
        let extraStart = cursor + 46 + nameLength
        try applyZip64Extra(bytes[extraStart..<(extraStart + extraLength)], to: &record, fail: fail)
        record.isFile =
            !record.path.hasSuffix("/")
            && !isDirectoryOrLink(
                madeBy: bytes.le16(cursor + 4), externalAttributes: bytes.le32(cursor + 38))
        return (record, length)
    }

    /// ZIP64 extended information (id 1) replaces, in order, each 32-bit field that is 0xFFFFFFFF.
    private static func applyZip64Extra(
        _ extra: ArraySlice<UInt8>, to record: inout ZipEntryRecord,
        fail: (String) -> RawReadError
    ) throws(RawReadError) {
        let fields = Array(extra)
        var cursor = 0
        while cursor + 4 <= fields.count {
            let id = fields.le16(cursor)
            let size = Int(fields.le16(cursor + 2))
            let body = cursor + 4
            guard body + size <= fields.count else { throw fail("extra field runs past its area") }
            if id == 0x0001 {
                var field = body
                func next() throws(RawReadError) -> UInt64 {
                    guard field + 8 <= body + size else { throw fail("zip64 extra field too short") }
                    defer { field += 8 }
                    return fields.le64(field)
                }
                if record.uncompressedSize == 0xFFFF_FFFF { record.uncompressedSize = try next() }
                if record.compressedSize == 0xFFFF_FFFF { record.compressedSize = try next() }
                if record.localHeaderOffset == 0xFFFF_FFFF { record.localHeaderOffset = try next() }
            }
            cursor = body + size
        }
    }

    /// Unix (3) and macOS (19) hosts keep the file mode in the high 16 bits; MS-DOS marks directories with 0x10.
    private static func isDirectoryOrLink(madeBy: UInt16, externalAttributes: UInt32) -> Bool {
        let host = madeBy >> 8
        if host == 3 || host == 19 {
            let type = (externalAttributes >> 16) & 0o170000
            return type == 0o040000 || type == 0o120000
        }
        return externalAttributes & 0x10 != 0
    }

    /// UTF-8 when valid (the flag is often missing); otherwise each byte as a Latin-1 scalar.
    private static func decodeName(_ bytes: [UInt8]) -> String {
        if let text = String(validating: bytes, as: UTF8.self) { return text }
        return String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) }))
    }
}

extension Array where Element == UInt8 {
    func le16(_ at: Int) -> UInt16 { UInt16(self[at]) | UInt16(self[at + 1]) << 8 }
    func le32(_ at: Int) -> UInt32 { UInt32(le16(at)) | UInt32(le16(at + 2)) << 16 }
    func le64(_ at: Int) -> UInt64 { UInt64(le32(at)) | UInt64(le32(at + 4)) << 32 }
}
