import CGHWHZlib

/// Lists and streams the document entries of a zip archive. Entry data is read only within its
/// compressed size, inflated with ISA-L (`IsalInflater`) and checked against the directory's size and CRC-32.
enum ZipStreamer {
    static let inputChunkSize = 256 * 1024

    static func documents(of file: RawFile) throws(RawReadError) -> [RawDocument] {
        // A zero-byte file is an empty raw file, not a broken archive.
        if FileStatus.of(file.path) == .regularFile(size: 0) { return [] }
        let archive = try ReadOnlyFile(path: file.path, source: file.relativePath)
        return try ZipDirectory.read(archive).compactMap { record in
            guard record.isFile, let format = DocumentFormat.of(name: record.path) else { return nil }
            return RawDocument(
                source: "\(file.relativePath)!\(record.path)", format: format,
                entryPath: record.path, uncompressedSize: Int64(exactly: record.uncompressedSize),
                zipRecord: record)
        }
    }

    static func stream(
        _ document: RawDocument, entryPath: String, of file: RawFile, bufferSize: Int,
        _ consume: (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        let source = document.source
        let archive = try ReadOnlyFile(path: file.path, source: source)
        let (record, dataStart) = try locateEntry(document, entryPath: entryPath, in: archive)
        try archive.seek(to: dataStart)
        try streamEntryData(
            archive, record: record, dataStart: dataStart, source: source, bufferSize: bufferSize, consume)
    }

    /// Inflates (or copies) one entry's data from `input`, positioned at the data's start,
    /// checking it against the directory's size and CRC-32.
    static func streamEntryData(
        _ input: some ByteInput, record: ZipEntryRecord, dataStart: Int64, source: String,
        bufferSize: Int, _ consume: (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        var check = EntryCheck(record: record, source: source)
        let output = UnsafeMutableRawBufferPointer.allocate(byteCount: bufferSize, alignment: 16)
        defer { output.deallocate() }
        switch record.method {
        case 0:
            try copyStored(input, record: record, output: output, check: &check, consume)
        case 8:
            try inflateDeflated(input, record: record, dataStart: dataStart, output: output, check: &check, consume)
        default:
            throw RawReadError(source: source, reason: "unsupported zip compression method \(record.method)")
        }
        try check.finish()
    }

    /// The entry's record and where its data starts, checked: not encrypted, a supported
    /// method, data inside the file.
    static func locateEntry(_ document: RawDocument, entryPath: String, in archive: ReadOnlyFile)
        throws(RawReadError) -> (record: ZipEntryRecord, dataStart: Int64)
    {
        let record: ZipEntryRecord
        if let listed = document.zipRecord { record = listed } else { record = try findRecord(entryPath, in: archive) }
        guard record.flags & 1 == 0 else {
            throw RawReadError(source: document.source, reason: "encrypted zip entries are not supported")
        }
        let dataStart = try ZipDirectory.dataOffset(of: record, in: archive)
        let fileSize = try archive.size()
        guard record.compressedSize <= UInt64(max(0, fileSize - dataStart)) else {
            throw RawReadError(
                source: document.source,
                reason: "zip entry data (\(record.compressedSize) bytes from byte offset "
                    + "\(dataStart)) runs past the end of the file at \(fileSize): truncated zip")
        }
        guard record.method == 0 || record.method == 8 else {
            throw RawReadError(source: document.source, reason: "unsupported zip compression method \(record.method)")
        }
        return (record, dataStart)
    }

    private static func findRecord(_ entryPath: String, in archive: ReadOnlyFile) throws(RawReadError) -> ZipEntryRecord
    {
        guard let record = try ZipDirectory.read(archive).first(where: { $0.isFile && $0.path == entryPath }) else {
            throw RawReadError(source: archive.source, reason: "zip entry not found: \(entryPath)")
        }
        return record
    }

    /// Method 0: the data is the document.
    private static func copyStored(
        _ archive: some ByteInput, record: ZipEntryRecord,
        output: UnsafeMutableRawBufferPointer, check: inout EntryCheck,
        _ consume: (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        var remaining = record.compressedSize
        while remaining > 0 {
            let want = Int(min(remaining, UInt64(output.count)))
            let count = try archive.read(into: UnsafeMutableRawBufferPointer(rebasing: output[0..<want]))
            guard count > 0 else {
                throw RawReadError(
                    source: check.source, reason: "zip entry data cut short at byte offset \(archive.offset)")
            }
            remaining -= UInt64(count)
            let chunk = UnsafeRawBufferPointer(rebasing: output[0..<count])
            try check.add(chunk)
            try consume(chunk)
        }
    }

    /// Method 8: raw deflate, fed no more than the entry's compressed size.
    private static func inflateDeflated(
        _ archive: some ByteInput, record: ZipEntryRecord, dataStart: Int64,
        output: UnsafeMutableRawBufferPointer, check: inout EntryCheck,
        _ consume: (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        let inflater = IsalInflater()
        let input = UnsafeMutableRawBufferPointer.allocate(byteCount: inputChunkSize, alignment: 16)
        defer { input.deallocate() }
        var remaining = record.compressedSize
        var outputFilled = false  // the inflater may hold output back when the buffer fills: drain before reading on
        while true {
            if inflater.availableInput == 0 && !outputFilled {
                guard remaining > 0 else {
                    throw RawReadError(
                        source: check.source,
                        reason: "truncated deflate data: the entry's "
                            + "\(record.compressedSize) compressed bytes end before the deflate stream does")
                }
                let want = Int(min(remaining, UInt64(input.count)))
                let count = try archive.read(into: UnsafeMutableRawBufferPointer(rebasing: input[0..<want]))
                guard count > 0 else {
                    throw RawReadError(
                        source: check.source, reason: "zip entry data cut short at byte offset \(archive.offset)")
                }
                remaining -= UInt64(count)
                inflater.setInput(UnsafeRawBufferPointer(rebasing: input[0..<count]))
            }
            let (step, produced) = inflater.inflate(into: output)
            outputFilled = produced == output.count
            if produced > 0 {
                let chunk = UnsafeRawBufferPointer(rebasing: output[0..<produced])
                try check.add(chunk)
                try consume(chunk)
            }
            switch step {
            case .progressed: continue
            case .streamEnd: return
            case .dataError(let message):
                let position = archive.offset - Int64(inflater.availableInput)
                throw RawReadError(
                    source: check.source,
                    reason: "bad deflate data: \(message) "
                        + "(near byte offset \(position) of the zip, \(position - dataStart) into the entry)")
            }
        }
    }
}

/// Running size and CRC-32 of an entry's output, compared with its directory record.
private struct EntryCheck {
    let record: ZipEntryRecord
    let source: String
    private var produced: UInt64 = 0
    private var checksum: UInt32 = 0

    init(record: ZipEntryRecord, source: String) {
        self.record = record
        self.source = source
    }

    /// Counts a chunk before it is delivered, so output beyond the declared size is never passed on.
    mutating func add(_ chunk: UnsafeRawBufferPointer) throws(RawReadError) {
        produced += UInt64(chunk.count)
        guard produced <= record.uncompressedSize else {
            throw RawReadError(
                source: source,
                reason:
                    "zip entry inflates to more than the \(record.uncompressedSize) bytes its directory record declares"
            )
        }
        checksum = crc32Update(checksum, chunk)
    }

    func finish() throws(RawReadError) {
        guard produced == record.uncompressedSize else {
            throw RawReadError(
                source: source,
                reason: "zip entry size mismatch: directory record declares "
                    + "\(record.uncompressedSize) bytes, data gave \(produced)")
        }
        let actual = checksum
        guard actual == record.crc32 else {
            throw RawReadError(
                source: source,
                reason:
                    "zip CRC-32 mismatch: directory record declares \(hex(record.crc32)), data gives \(hex(actual))")
        }
    }

    private func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 8 - digits.count) + digits
    }
}
