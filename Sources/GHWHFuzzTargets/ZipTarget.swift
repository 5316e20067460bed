import GHWHRaw

/// Zip archives (`ZipDirectory`, `ZipStreamer`, `ZlibInflater` through `RawReader`).
///
/// Input: byte 0 bit 0 = mode; bits 1-3 and 4-6 pick two buffer sizes.
/// - Raw mode (bit 0 = 0): the rest is a `.json.zip` file. Listing fails only with a
///   `RawReadError`; every listed document is read to its end from the file and from its
///   stored bytes: the same bytes and error with the same buffer size, the same outcome
///   with another, never more than the declared size (exactly it on success), chunks of
///   1...bufferSize bytes, errors `RawReadError`.
/// - Built mode (bit 0 = 1): the rest describes up to 8 entries (name, kind, method,
///   data), written as a zip with zlib's deflate. The listing must be exactly the
///   `.json`/`.jsonl`/`.ndjson` files in order, each streaming back its data.
enum ZipTarget {
    static let target = FuzzTarget.zip
    static let relativePath = "github/issues/2024-01-02/part.json.zip"

    static func run(_ input: [UInt8]) {
        var cursor = ByteCursor(input)
        let flags = cursor.byte()
        let (bufferA, bufferB) = RawSupport.bufferSizes(flags)
        if flags & 1 == 0 {
            _ = read(cursor.rest(), bufferA, bufferB)
        } else {
            runBuilt(&cursor, bufferA, bufferB)
        }
    }

    /// Lists and reads every document; returns the listing and what streaming from the file gave.
    static func read(_ file: [UInt8], _ bufferA: Int, _ bufferB: Int) -> [(RawDocument, StreamOutcome)] {
        RawSupport.withTemporaryFile(named: "part.json.zip", contents: file) { path in
            let raw = RawSupport.rawFile(path: path, relativePath: relativePath, size: file.count, kind: .zip)
            let documents: [RawDocument]
            do {
                documents = try RawReader.documents(of: raw)
            } catch is RawReadError {
                return []
            } catch {
                violated(target, "listing threw \(type(of: error)) (\(error)), not RawReadError")
            }
            // Each central-directory record takes at least 46 bytes.
            check(
                documents.count <= file.count / 46, target, "\(documents.count) documents in a \(file.count)-byte zip")
            var results: [(RawDocument, StreamOutcome)] = []
            for document in documents.prefix(64) {
                checkListing(document)
                let fromFile = streamFromFile(document, of: raw, bufferSize: bufferA)
                results.append((document, fromFile))
                checkStored(document, of: raw, fromFile: fromFile, bufferA, bufferB)
            }
            return results
        }
    }

    /// A listed document names its entry, and its format follows the entry's extension.
    static func checkListing(_ document: RawDocument) {
        guard let entryPath = document.entryPath else {
            violated(target, "zip document without entry path: \(document)")
        }
        check(document.source == "\(relativePath)!\(entryPath)", target, "document source \(document.source)")
        let lower = entryPath.lowercased()
        let format: DocumentFormat? =
            lower.hasSuffix(".json")
            ? .json
            : lower.hasSuffix(".jsonl") || lower.hasSuffix(".ndjson") ? .jsonLines : nil
        check(
            format == document.format && !entryPath.hasSuffix("/"), target,
            "entry \(entryPath.debugDescription) listed as \(document.format)")
    }

    /// Streams `document` from the file, checking the bytes against the size its directory declares.
    static func streamFromFile(_ document: RawDocument, of raw: RawFile, bufferSize: Int) -> StreamOutcome {
        let outcome = RawSupport.collect(target, bufferSize: bufferSize) {
            try RawReader.stream(document, of: raw, bufferSize: bufferSize, $0)
        }
        let declared = document.uncompressedSize
        if !outcome.aborted {
            // nil: a declared size beyond Int64 (ZIP64), which no stream reaches.
            check(
                declared.map { Int64(outcome.bytes.count) <= $0 } ?? true, target,
                "\(outcome.bytes.count) bytes delivered, the directory declares \(String(describing: declared))"
            )
            check(
                outcome.failed || Int64(outcome.bytes.count) == declared, target,
                "a complete entry gave \(outcome.bytes.count) bytes, the directory declares \(String(describing: declared))"
            )
        }
        return outcome
    }

    /// `stored()` streams what the file streamed, with either buffer size.
    static func checkStored(
        _ document: RawDocument, of raw: RawFile, fromFile: StreamOutcome, _ bufferA: Int, _ bufferB: Int
    ) {
        let stored: StoredDocument
        do {
            stored = try RawReader.stored(document, of: raw)
        } catch let error as RawReadError {
            // Throws what streaming would throw for a damaged container, before any data.
            check(
                fromFile == StreamOutcome(error: "\(error.source): \(error.reason)"), target,
                "stored() threw \(error), streaming the file gave \(fromFile.bytes.count) bytes, \(fromFile.error ?? "ok")"
            )
            return
        } catch {
            violated(target, "stored() threw \(type(of: error)) (\(error)), not RawReadError")
        }
        check(
            stored.source == document.source && stored.format == document.format, target,
            "stored document \(stored.source)")
        let memory = RawSupport.collect(target, bufferSize: bufferA) {
            try stored.stream(bufferSize: bufferA, $0)
        }
        guard !fromFile.aborted && !memory.aborted else { return }
        check(
            memory == fromFile, target,
            "file and stored bytes stream differently (bufferSize \(bufferA)): \(fromFile.bytes.count) bytes, \(fromFile.error ?? "ok") vs \(memory.bytes.count) bytes, \(memory.error ?? "ok")"
        )
        let memoryB = RawSupport.collect(target, bufferSize: bufferB) {
            try stored.stream(bufferSize: bufferB, $0)
        }
        guard !memoryB.aborted else { return }
        check(
            memory.failed == memoryB.failed && memory.bytes.isPrefixRelated(to: memoryB.bytes)
                && (memory.failed || memory.bytes == memoryB.bytes), target,
            "bufferSize \(bufferA) and \(bufferB) differ: \(memory.bytes.count) bytes, \(memory.error ?? "ok") vs \(memoryB.bytes.count) bytes, \(memoryB.error ?? "ok")"
        )
    }

    struct Entry {
        var name: String
        var data: [UInt8]
        var method: UInt16
        var isDirectory: Bool
    }

    static func runBuilt(_ cursor: inout ByteCursor, _ bufferA: Int, _ bufferB: Int) {
        let letters = Array("abcdefghijklmnopqrstuvwxyz0123456789_-".utf8)
        let suffixes = [".json", ".jsonl", ".NDJSON", ".Json", ".txt", "/", ".json.gz", ""]
        var entries: [Entry] = []
        while !cursor.isAtEnd && entries.count < 8 {
            let kind = cursor.byte()
            let nameBytes = cursor.take(1 + Int(cursor.byte() % 12)).map { letters[Int($0) % letters.count] }
            let suffix = suffixes[Int(kind) & 7]
            let isDirectory = suffix == "/"
            let data = isDirectory ? [] : cursor.take(Int(cursor.u16() % 2048))
            entries.append(
                Entry(
                    name: "dir/" + String(decoding: nameBytes, as: UTF8.self) + suffix, data: data,
                    method: kind & 0x08 == 0 ? 0 : 8, isDirectory: isDirectory))
        }
        let level = Int32(cursor.byte() % 10)
        // Letters only: a comment may hold anything, including a second end record, and then
        // which one a reader takes is a matter of taste.
        let comment = cursor.take(Int(cursor.byte() % 40)).map { letters[Int($0) % letters.count] }
        let archive = write(entries, level: level, comment: comment)

        let expected = entries.filter { entry in
            let lower = entry.name.lowercased()
            return !entry.isDirectory
                && (lower.hasSuffix(".json") || lower.hasSuffix(".jsonl") || lower.hasSuffix(".ndjson"))
        }
        let results = read(archive, bufferA, bufferB)
        check(
            results.map { $0.0.entryPath ?? "" } == expected.map(\.name), target,
            "a built zip of \(entries.map(\.name)) lists \(results.map { $0.0.entryPath ?? "" })")
        for ((document, outcome), entry) in zip(results, expected) where !outcome.aborted {
            check(document.uncompressedSize == Int64(entry.data.count), target, "declared size of \(entry.name)")
            check(
                outcome == StreamOutcome(bytes: entry.data), target,
                "\(entry.name) (method \(entry.method), \(entry.data.count) bytes) streamed as \(outcome.bytes.count) bytes, \(outcome.error ?? "ok")"
            )
        }
    }

    /// A plain zip (no ZIP64, no data descriptors), Unix attributes, version 2.0.
    static func write(_ entries: [Entry], level: Int32, comment: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var central: [UInt8] = []
        for entry in entries {
            let name = Array(entry.name.utf8)
            let stored = entry.method == 8 ? Zlib.deflate(entry.data, level: level, windowBits: -15) : entry.data
            let crc = Zlib.crc(entry.data)
            let offset = UInt32(out.count)
            out.le32(0x0403_4b50)
            out.le16(20)
            out.le16(0)
            out.le16(entry.method)
            out.le16(0)
            out.le16(0x5821)
            out.le32(crc)
            out.le32(UInt32(stored.count))
            out.le32(UInt32(entry.data.count))
            out.le16(UInt16(name.count))
            out.le16(0)
            out += name
            out += stored
            let mode: UInt32 = entry.isDirectory ? 0o040755 : 0o100644
            central.le32(0x0201_4b50)
            central.le16(3 << 8 | 20)
            central.le16(20)
            central.le16(0)
            central.le16(entry.method)
            central.le16(0)
            central.le16(0x5821)
            central.le32(crc)
            central.le32(UInt32(stored.count))
            central.le32(UInt32(entry.data.count))
            central.le16(UInt16(name.count))
            central.le16(0)
            central.le16(0)
            central.le16(0)
            central.le16(0)
            central.le32(mode << 16 | (entry.isDirectory ? 0x10 : 0))
            central.le32(offset)
            central += name
        }
        let directoryOffset = UInt32(out.count)
        out += central
        out.le32(0x0605_4b50)
        out.le16(0)
        out.le16(0)
        out.le16(UInt16(entries.count))
        out.le16(UInt16(entries.count))
        out.le32(UInt32(central.count))
        out.le32(directoryOffset)
        out.le16(UInt16(comment.count))
        out += comment
        return out
    }
}
