import GHWHRandom
import GHWHRaw

/// Gzip streams (`GzipStreamer` through `RawReader` and `StoredDocument`).
///
/// Input: byte 0 bit 0 = mode; bits 1-3 and 4-6 pick two buffer sizes.
/// - Raw mode (bit 0 = 0): the rest is a `.json.gz` file. Streaming it from the file and
///   from memory with the same buffer size gives the same bytes and the same error; another
///   buffer size gives the same outcome and bytes that agree as far as both got. Errors are
///   `RawReadError`s, chunks are 1...bufferSize bytes.
/// - Built mode (bit 0 = 1): byte 1 picks the level, member count and whether to truncate;
///   the rest is a payload, gzipped by zlib as 1-4 members. It must stream back exactly;
///   cut at a member boundary it gives those members, cut anywhere else it fails with only
///   payload bytes delivered; a single member's size hint is its ISIZE.
enum GzipTarget {
    static let target = FuzzTarget.gzip

    static func run(_ input: [UInt8]) {
        var cursor = ByteCursor(input)
        let flags = cursor.byte()
        let (bufferA, bufferB) = RawSupport.bufferSizes(flags)
        if flags & 1 == 0 {
            runRaw(cursor.rest(), bufferA, bufferB)
        } else {
            let options = cursor.byte()
            runBuilt(cursor.rest(), options: options, bufferA, bufferB)
        }
    }

    struct Streams {
        /// Through the file with buffer size A, from memory with A, from memory with B.
        var fromFile, memory, memoryB: StreamOutcome
    }

    static func streams(_ file: [UInt8], _ bufferA: Int, _ bufferB: Int) -> Streams {
        RawSupport.withTemporaryFile(named: "part.json.gz", contents: file) { path in
            let raw = RawSupport.rawFile(
                path: path, relativePath: "github/issues/2024-01-02/part.json.gz", size: file.count,
                kind: .gzip(.json))
            let documents: [RawDocument]
            do { documents = try RawReader.documents(of: raw) } catch {
                violated(target, "a gzip file listed no document: \(error)")
            }
            check(documents.count == 1 && documents[0].entryPath == nil, target, "a gzip file lists \(documents)")
            let document = documents[0]
            let fromFile = RawSupport.collect(target, bufferSize: bufferA) {
                try RawReader.stream(document, of: raw, bufferSize: bufferA, $0)
            }
            let stored: StoredDocument
            do { stored = try RawReader.stored(document, of: raw) } catch {
                violated(target, "stored(gzip) threw \(error)")
            }
            check(
                stored.encoding == .gzip && Array(stored.bytes) == file, target,
                "stored gzip document is not the file's bytes")
            let memory = RawSupport.collect(target, bufferSize: bufferA) { try stored.stream(bufferSize: bufferA, $0) }
            let memoryB = RawSupport.collect(target, bufferSize: bufferB) { try stored.stream(bufferSize: bufferB, $0) }
            if case .success = Result(catching: { try RawReader.stream(document, of: raw, bufferSize: 0) { _ in } }) {
                violated(target, "bufferSize 0 was accepted")
            }
            return Streams(fromFile: fromFile, memory: memory, memoryB: memoryB)
        }
    }

    static func compare(
        _ s: Streams,
        _ bufferA: Int, _ bufferB: Int, _ file: [UInt8]
    ) {
        guard !s.fromFile.aborted && !s.memory.aborted else { return }
        check(
            s.fromFile == s.memory, target,
            "file and memory streams differ (bufferSize \(bufferA)): \(s.fromFile.bytes.count) bytes, \(s.fromFile.error ?? "ok") vs \(s.memory.bytes.count) bytes, \(s.memory.error ?? "ok") for \(file.hexPrefix())"
        )
        guard !s.memoryB.aborted else { return }
        check(
            s.memory.failed == s.memoryB.failed && s.memory.bytes.isPrefixRelated(to: s.memoryB.bytes)
                && (s.memory.failed || s.memory.bytes == s.memoryB.bytes), target,
            "bufferSize \(bufferA) and \(bufferB) differ: \(s.memory.bytes.count) bytes, \(s.memory.error ?? "ok") vs \(s.memoryB.bytes.count) bytes, \(s.memoryB.error ?? "ok") for \(file.hexPrefix())"
        )
    }

    static func runRaw(_ file: [UInt8], _ bufferA: Int, _ bufferB: Int) {
        compare(streams(file, bufferA, bufferB), bufferA, bufferB, file)
    }

    static func runBuilt(_ payload: [UInt8], options: UInt8, _ bufferA: Int, _ bufferB: Int) {
        var rng = SplitMix(hashing: payload, salt: UInt64(options))
        let level = Int32(options % 10)
        let memberCount = 1 + Int(options >> 4) % 4
        var cuts = (0..<(memberCount - 1)).map { _ in rng.below(payload.count + 1) }.sorted()
        cuts.append(payload.count)
        var file: [UInt8] = []
        var boundaries: [(fileOffset: Int, payloadOffset: Int)] = [(0, 0)]
        var start = 0
        for cut in cuts {
            file += Zlib.deflate(Array(payload[start..<cut]), level: level, windowBits: 31)
            boundaries.append((file.count, cut))
            start = cut
        }
        var expected: [UInt8]? = payload  // nil: must fail
        if options & 0x08 != 0 {
            let keep = rng.below(file.count + 1)
            file.removeSubrange(keep...)
            if let boundary = boundaries.first(where: { $0.fileOffset == keep }) {
                expected = Array(payload[0..<boundary.payloadOffset])
            } else {
                expected = nil
            }
        }
        let s = streams(file, bufferA, bufferB)
        compare(s, bufferA, bufferB, file)
        for outcome in [s.fromFile, s.memory, s.memoryB] where !outcome.aborted {
            if let expected {
                check(
                    outcome == StreamOutcome(bytes: expected), target,
                    "a valid \(memberCount)-member gzip of \(expected.count) bytes streamed as \(outcome.bytes.count) bytes, \(outcome.error ?? "ok")"
                )
            } else {
                check(
                    outcome.failed && payload.starts(with: outcome.bytes), target,
                    "a truncated gzip streamed as \(outcome.bytes.count) bytes, \(outcome.error ?? "ok") (payload \(payload.count) bytes)"
                )
            }
        }
        if memberCount == 1, options & 0x08 == 0 {
            RawSupport.withTemporaryFile(named: "hint.json.gz", contents: file) { path in
                let raw = RawSupport.rawFile(
                    path: path, relativePath: "hint.json.gz", size: file.count, kind: .gzip(.json))
                let document = RawDocument(
                    source: raw.relativePath, format: .json, entryPath: nil, uncompressedSize: nil)
                let hint = RawReader.uncompressedSizeHint(of: document, in: raw)
                let whole = try? RawReader.wholeFile(raw)
                let hintFromMemory = RawReader.uncompressedSizeHint(of: document, in: raw, whole: whole)
                check(
                    hint == Int64(payload.count) && hintFromMemory == hint, target,
                    "size hint \(String(describing: hint)) / \(String(describing: hintFromMemory)) for a single member of \(payload.count) bytes"
                )
            }
        }
    }
}
