import CGHWHZlib

/// Writes a classic (non-zip64) zip archive entry by entry, deflating each entry while
/// it is produced. Sizes and CRC are patched into the local header afterwards, so
/// readers that trust local headers work too (no data descriptors).
final class ZipArchiveWriter {
    private struct CentralRecord {
        var name: [UInt8]
        var crc: UInt32
        var compressedSize: UInt32
        var uncompressedSize: UInt32
        var localHeaderOffset: UInt32
    }

    let output: FileOutput
    private var records: [CentralRecord] = []
    private let dosTime: UInt16
    private let dosDate: UInt16

    /// `modified`: the timestamp stored for every entry (fixed, so output is deterministic).
    init(output: FileOutput, modified: (year: Int, month: Int, day: Int)) {
        self.output = output
        dosTime = UInt16(12 << 11)
        dosDate = UInt16(((modified.year - 1980) << 9) | (modified.month << 5) | modified.day)
    }

    /// A sink for one entry; call `finishEntry` when its content is complete.
    final class Entry: ByteSink {
        fileprivate let deflater: DeflateStream
        fileprivate var crc: uLong = crc32(0, nil, 0)
        fileprivate let name: [UInt8]
        fileprivate let headerOffset: Int64

        fileprivate init(deflater: DeflateStream, name: [UInt8], headerOffset: Int64) {
            self.deflater = deflater
            self.name = name
            self.headerOffset = headerOffset
        }

        func write(_ bytes: UnsafeRawBufferPointer) throws {
            guard bytes.count > 0 else { return }
            crc = crc32(crc, bytes.baseAddress!.assumingMemoryBound(to: Bytef.self), uInt(bytes.count))
            try deflater.write(bytes)
        }
    }

    func beginEntry(name: String) throws -> Entry {
        let nameBytes = Array(name.utf8)
        let offset = output.offset
        var header: [UInt8] = []
        header.reserveCapacity(30 + nameBytes.count)
        header.appendLE32(0x0403_4B50)
        header.appendLE16(20)  // version needed: 2.0 (deflate)
        header.appendLE16(0x0800)  // flags: UTF-8 names
        header.appendLE16(8)  // method: deflate
        header.appendLE16(dosTime)
        header.appendLE16(dosDate)
        header.appendLE32(0)  // crc, patched later
        header.appendLE32(0)  // compressed size, patched later
        header.appendLE32(0)  // uncompressed size, patched later
        header.appendLE16(UInt16(nameBytes.count))
        header.appendLE16(0)  // extra length
        header.append(contentsOf: nameBytes)
        try header.withUnsafeBytes { try output.write($0) }
        return Entry(deflater: try DeflateStream(output: output, framing: .raw), name: nameBytes, headerOffset: offset)
    }

    func finishEntry(_ entry: Entry) throws {
        try entry.deflater.finish()
        let dataStart = entry.headerOffset + 30 + Int64(entry.name.count)
        let compressed = output.offset - dataStart
        let uncompressed = entry.deflater.totalIn
        guard compressed <= Int64(UInt32.max), uncompressed <= Int64(UInt32.max),
            entry.headerOffset <= Int64(UInt32.max)
        else { throw SampleDataError.zipTooLarge(path: output.path) }
        var patch: [UInt8] = []
        patch.appendLE32(UInt32(truncatingIfNeeded: entry.crc))
        patch.appendLE32(UInt32(compressed))
        patch.appendLE32(UInt32(uncompressed))
        try output.patch(at: entry.headerOffset + 14, patch)
        records.append(
            CentralRecord(
                name: entry.name, crc: UInt32(truncatingIfNeeded: entry.crc),
                compressedSize: UInt32(compressed), uncompressedSize: UInt32(uncompressed),
                localHeaderOffset: UInt32(entry.headerOffset)))
    }

    /// Adds a small entry in one go.
    func addEntry(name: String, contents: String) throws {
        let entry = try beginEntry(name: name)
        var text = contents
        try text.withUTF8 { try entry.write(UnsafeRawBufferPointer($0)) }
        try finishEntry(entry)
    }

    /// Writes the central directory and end record, and closes the file.
    func finish() throws {
        let directoryStart = output.offset
        var directory: [UInt8] = []
        for r in records {
            directory.appendLE32(0x0201_4B50)
            directory.appendLE16(0x031E)  // made by: Unix, spec 3.0
            directory.appendLE16(20)
            directory.appendLE16(0x0800)
            directory.appendLE16(8)
            directory.appendLE16(dosTime)
            directory.appendLE16(dosDate)
            directory.appendLE32(r.crc)
            directory.appendLE32(r.compressedSize)
            directory.appendLE32(r.uncompressedSize)
            directory.appendLE16(UInt16(r.name.count))
            directory.appendLE16(0)  // extra
            directory.appendLE16(0)  // comment
            directory.appendLE16(0)  // disk number
            directory.appendLE16(0)  // internal attributes
            directory.appendLE32(0o100644 << 16)  // external: regular file, rw-r--r--
            directory.appendLE32(r.localHeaderOffset)
            directory.append(contentsOf: r.name)
        }
        guard directoryStart + Int64(directory.count) <= Int64(UInt32.max) else {
            throw SampleDataError.zipTooLarge(path: output.path)
        }
        let directorySize = UInt32(directory.count)
        directory.appendLE32(0x0605_4B50)
        directory.appendLE16(0)
        directory.appendLE16(0)
        directory.appendLE16(UInt16(records.count))
        directory.appendLE16(UInt16(records.count))
        directory.appendLE32(directorySize)
        directory.appendLE32(UInt32(directoryStart))
        directory.appendLE16(0)
        try directory.withUnsafeBytes { try output.write($0) }
        try output.close()
    }
}

extension Array where Element == UInt8 {
    mutating func appendLE16(_ v: UInt16) {
        append(UInt8(v & 0xFF))
        append(UInt8(v >> 8))
    }
    mutating func appendLE32(_ v: UInt32) {
        append(UInt8(v & 0xFF))
        append(UInt8((v >> 8) & 0xFF))
        append(UInt8((v >> 16) & 0xFF))
        append(UInt8(v >> 24))
    }
}
