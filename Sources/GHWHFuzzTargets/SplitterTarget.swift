import Foundation
import GHWHJSON
import GHWHRandom

/// `RecordSplitter` over the same document under three chunkings (one chunk, one byte
/// at a time, random sizes including empty chunks), each chunk in its own exact-size
/// allocation so a read past a chunk is an AddressSanitizer report.
///
/// Input: byte 0 bit 0 = mode (0 `.json`, 1 `.lines`), bits 1-2 = 3 for a small record
/// limit (1 + byte 1 % 64 bytes, otherwise the default); byte 2 seeds the random
/// chunking; the document is the rest.
///
/// Properties: the chunkings give the same records (bytes, ordinal, offset) and the same
/// error; every record is exactly the document's bytes at its offset, in order, within
/// the limit; after an error the splitter keeps throwing it; a simple reference splitter
/// written from the documented rules gives the same records and outcome; and a document
/// Foundation reads as an array splits into exactly its elements. A splitter given a
/// parser (objects validated and projected in the same pass) splits exactly as one without,
/// and each record it parsed has the value the projector gives that record alone.
enum SplitterTarget {
    struct Record: Equatable {
        let bytes: [UInt8]
        let ordinal: Int
        let offset: Int64
        /// A JSON Lines line over the limit: its length (`bytes` is its first KB).
        var oversizedLength: Int? = nil
    }

    struct Outcome: Equatable {
        var records: [Record] = []
        /// The error's offset and reason, nil when the document was accepted.
        var error: String?
        var shape: String?
        var failed: Bool { error != nil }
    }

    static let target = FuzzTarget.splitter

    static func run(_ input: [UInt8]) {
        var cursor = ByteCursor(input)
        let flags = cursor.byte()
        let limitByte = cursor.byte()
        let seed = cursor.byte()
        let document = cursor.rest()
        let mode: RecordSplitter.Mode = flags & 1 == 0 ? .json : .lines
        let limit: Int? = (flags >> 1) & 3 == 3 ? 1 + Int(limitByte % 64) : nil

        let whole = split(document, mode: mode, limit: limit, chunks: [document.count])
        let bytewise = split(document, mode: mode, limit: limit, chunks: Array(repeating: 1, count: document.count))
        var rng = SplitMix(hashing: document, salt: UInt64(seed))
        let widest = [2, 3, 8, 9, 17, 64, 300][Int(seed) % 7]
        var sizes: [Int] = []
        var total = 0
        while total < document.count {
            let size = rng.below(8) == 0 ? 0 : 1 + rng.below(widest)
            sizes.append(size)
            total += size
        }
        let random = split(document, mode: mode, limit: limit, chunks: sizes)

        // With a parser (the silver runner's one pass), the same records and error; each record
        // handed out parsed has the value the projector gives its bytes alone.
        for (name, chunks, plain) in [("one chunk", [document.count], whole), ("random chunks", sizes, random)] {
            let parsed = split(document, mode: mode, limit: limit, chunks: chunks, parser: Self.parser)
            check(
                parsed == plain, target,
                "\(name) with a parser differs: \(describe(parsed)) vs \(describe(plain)) for \(document.hexPrefix())")
        }

        for (name, other) in [("one byte at a time", bytewise), ("random chunks \(sizes.prefix(40))", random)] {
            if limit == nil {
                check(
                    other == whole, target,
                    "\(name) differs from one chunk: \(describe(other)) vs \(describe(whole)) for \(document.hexPrefix())"
                )
            } else {
                // Over the limit, a record spanning chunks fails while it is carried, one in a
                // single chunk when it ends (or another error first): both fail, same records.
                check(
                    other.records == whole.records && other.failed == whole.failed, target,
                    "\(name) differs from one chunk (limit \(limit!)): \(describe(other)) vs \(describe(whole)) for \(document.hexPrefix())"
                )
            }
        }
        checkRecords(whole, document: document, mode: mode, limit: limit)
        if let expected = reference(document, mode: mode, limit: limit) {
            check(
                expected.records == whole.records && expected.failed == whole.failed, target,
                "reference splitter disagrees: expected \(describe(expected)), splitter gave \(describe(whole)) for \(document.hexPrefix())"
            )
        }
        if limit == nil, mode == .json { compareWithFoundation(document, whole) }
    }

    // MARK: - Running the splitter

    /// A projector with a selection and a small depth limit, so parsed records take every path.
    static let parser = JSONProjector(["a": .all, "b": .fields(["c": .all])], maxDepth: 6)

    static func split(
        _ document: [UInt8], mode: RecordSplitter.Mode, limit: Int?, chunks: [Int], parser: JSONProjector? = nil
    ) -> Outcome {
        var splitter = limit.map { RecordSplitter(mode: mode, maxRecordBytes: $0) } ?? RecordSplitter(mode: mode)
        var outcome = Outcome()
        let collect: (RecordSlice) throws -> Void = { slice in
            if let projected = slice.projected {
                let alone = try? parser?.project(slice.bytes)
                check(
                    alone == projected, target,
                    "record \(slice.ordinal) parsed by the splitter as \(projected), alone as \(String(describing: alone))"
                )
            }
            outcome.records.append(
                Record(
                    bytes: Array(slice.bytes), ordinal: slice.ordinal, offset: slice.offset,
                    oversizedLength: slice.oversizedLength))
        }
        var start = 0
        do {
            for size in chunks {
                let end = min(document.count, start + size)
                // An exact-size heap copy: reading outside the chunk is an ASan report.
                let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: end - start, alignment: 1)
                defer { chunk.deallocate() }
                document.withUnsafeBytes { all in
                    if end > start { chunk.copyMemory(from: UnsafeRawBufferPointer(rebasing: all[start..<end])) }
                }
                try splitter.consume(UnsafeRawBufferPointer(chunk), projectingWith: parser, collect)
                start = end
            }
            try splitter.finish(collect)
        } catch let error as DocumentStructureError {
            outcome.error = "\(error.offset): \(error.reason)"
            // A failed splitter keeps failing with the same error, emitting nothing.
            let count = outcome.records.count
            for attempt in 0..<2 {
                do {
                    if attempt == 0 {
                        try [UInt8]("[1]\n".utf8).withUnsafeBytes { try splitter.consume($0, collect) }
                    } else {
                        try splitter.finish(collect)
                    }
                    violated(target, "splitter accepted more input after failing with \(error)")
                } catch let again as DocumentStructureError {
                    check(
                        again.offset == error.offset && again.reason == error.reason, target,
                        "splitter failed with \(error), then with \(again)")
                } catch let other {
                    violated(target, "untyped error \(other) after \(error)")
                }
            }
            check(outcome.records.count == count, target, "splitter emitted a record after failing")
        } catch {
            violated(target, "splitter threw \(type(of: error)) (\(error)), not DocumentStructureError")
        }
        outcome.shape = splitter.shape.map { "\($0)" }
        return outcome
    }

    /// Records are the document's own bytes at increasing, non-overlapping offsets, numbered 0, 1, 2...
    static func checkRecords(_ outcome: Outcome, document: [UInt8], mode: RecordSplitter.Mode, limit: Int?) {
        var previousEnd: Int64 = 0
        for (index, record) in outcome.records.enumerated() {
            check(record.ordinal == index, target, "record \(index) has ordinal \(record.ordinal)")
            check(
                record.offset >= previousEnd, target,
                "record \(index) at \(record.offset) overlaps the previous one ending at \(previousEnd)")
            if let length = record.oversizedLength {
                // Only a JSON Lines line goes over the limit as a record: its excerpt is its first bytes.
                check(
                    outcome.shape == "lines", target,
                    "record \(index) is oversized in a \(outcome.shape ?? "nil") document")
                check(
                    length > (limit ?? RecordSplitter.defaultMaxRecordBytes), target,
                    "record \(index) of \(length) bytes is marked oversized")
                check(
                    record.bytes.count == min(length, RecordSlice.excerptBytes), target,
                    "oversized record \(index) keeps \(record.bytes.count) bytes of \(length)")
                let end = record.offset + Int64(length)
                check(end <= Int64(document.count), target, "oversized record \(index) runs past the document")
                check(
                    Array(document[Int(record.offset)..<Int(record.offset) + record.bytes.count]) == record.bytes,
                    target,
                    "oversized record \(index)'s excerpt is not the document's bytes at its offset")
                check(
                    !document[Int(record.offset)..<Int(end)].contains(0x0A), target,
                    "oversized record \(index) spans a newline")
                previousEnd = end
                continue
            }
            let end = record.offset + Int64(record.bytes.count)
            check(
                end <= Int64(document.count), target,
                "record \(index) (\(record.offset)+\(record.bytes.count)) runs past the \(document.count)-byte document"
            )
            check(
                Array(document[Int(record.offset)..<Int(end)]) == record.bytes, target,
                "record \(index) is not the document's bytes at its offset \(record.offset)")
            check(!record.bytes.isEmpty, target, "record \(index) is empty")
            if let limit {
                check(
                    record.bytes.count <= limit, target,
                    "record \(index) of \(record.bytes.count) bytes exceeds the limit \(limit)")
            }
            if outcome.shape == "lines" || mode == .lines {
                check(!record.bytes.contains(0x0A), target, "JSON Lines record \(index) contains a newline")
            }
            previousEnd = end
        }
    }

    static func describe(_ outcome: Outcome) -> String {
        let records = outcome.records.prefix(8).map { "#\($0.ordinal)@\($0.offset) \($0.bytes.hexPrefix(24))" }
        return
            "[\(records.joined(separator: ", "))\(outcome.records.count > 8 ? ", ... \(outcome.records.count) records" : "")] "
            + (outcome.error.map { "error \($0)" } ?? "ok")
    }

    // MARK: - Reference splitter (the documented rules, byte at a time)

    static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D }

    /// What the splitter must give, or nil where the reference has nothing to say.
    static func reference(_ d: [UInt8], mode: RecordSplitter.Mode, limit: Int?) -> Outcome? {
        let hasBOM = d.count >= 3 && d[0] == 0xEF && d[1] == 0xBB && d[2] == 0xBF
        if mode == .lines { return referenceLines(d, from: hasBOM ? 3 : 0, limit: limit) }
        var i = hasBOM ? 3 : 0
        while i < d.count && isSpace(d[i]) { i += 1 }
        if i == d.count {
            return Outcome()  // empty or blank: no records
        }
        switch d[i] {
        case 0x7B: return referenceLines(d, from: i, limit: limit)
        case 0x5B: return referenceArray(d, from: i + 1, limit: limit)
        default: return Outcome(error: "?")
        }
    }

    /// Non-blank lines from `start`, each without its `\n` and one trailing `\r`; a
    /// non-blank line longer than the limit is an oversized record (its first KB and length).
    static func referenceLines(_ d: [UInt8], from start: Int, limit: Int?) -> Outcome {
        var outcome = Outcome()
        var lineStart = start
        while lineStart < d.count {
            var end = lineStart
            while end < d.count && d[end] != 0x0A { end += 1 }
            var stop = end
            if stop > lineStart && d[stop - 1] == 0x0D { stop -= 1 }
            if d[lineStart..<stop].contains(where: { !isSpace($0) }) {
                let length = stop - lineStart
                if length > (limit ?? RecordSplitter.defaultMaxRecordBytes) {
                    outcome.records.append(
                        Record(
                            bytes: Array(d[lineStart..<lineStart + min(length, RecordSlice.excerptBytes)]),
                            ordinal: outcome.records.count, offset: Int64(lineStart), oversizedLength: length))
                } else {
                    outcome.records.append(
                        Record(
                            bytes: Array(d[lineStart..<stop]), ordinal: outcome.records.count,
                            offset: Int64(lineStart)))
                }
            }
            lineStart = end + 1
        }
        return outcome
    }

    /// Elements of an array whose `[` is just before `start`: containers by bracket
    /// matching outside strings, strings, and bare scalars up to a delimiter.
    static func referenceArray(_ d: [UInt8], from start: Int, limit: Int?) -> Outcome {
        var outcome = Outcome()
        func fail() -> Outcome {
            outcome.error = "?"
            return outcome
        }
        var i = start
        func skipSpace() { while i < d.count && isSpace(d[i]) { i += 1 } }
        skipSpace()
        guard i < d.count else { return fail() }
        if d[i] == 0x5D {
            i += 1
        } else {
            while true {
                guard i < d.count else { return fail() }
                let elementStart = i
                guard let end = referenceElementEnd(d, from: elementStart) else { return fail() }
                i = end
                if let limit, i - elementStart > limit { return fail() }
                outcome.records.append(
                    Record(
                        bytes: Array(d[elementStart..<i]), ordinal: outcome.records.count,
                        offset: Int64(elementStart)))
                skipSpace()
                guard i < d.count else { return fail() }
                if d[i] == 0x5D {
                    i += 1
                    break
                }
                guard d[i] == 0x2C else { return fail() }
                i += 1
                skipSpace()
                guard i < d.count, d[i] != 0x5D else { return fail() }
            }
        }
        skipSpace()
        return i == d.count ? outcome : fail()
    }

    /// One past the last byte of the element starting at `d[start]`, or nil if it is not well-formed
    /// (containers are matched by brackets only; scalars end at a delimiter).
    static func referenceElementEnd(_ d: [UInt8], from start: Int) -> Int? {
        var i = start
        let c = d[i]
        if c == 0x7B || c == 0x5B {
            var open: [UInt8] = []
            var inString = false
            while true {
                guard i < d.count else { return nil }
                let b = d[i]
                i += 1
                if inString {
                    if b == 0x5C { i += 1 } else if b == 0x22 { inString = false }
                } else if b == 0x22 {
                    inString = true
                } else if b == 0x7B || b == 0x5B {
                    open.append(b)
                } else if b == 0x7D || b == 0x5D {
                    guard let top = open.popLast(), top + 2 == b else { return nil }
                    if open.isEmpty { break }
                }
            }
        } else if c == 0x22 {
            i += 1
            while true {
                guard i < d.count else { return nil }
                let b = d[i]
                i += 1
                if b == 0x5C { i += 1 } else if b == 0x22 { break }
            }
        } else if c == 0x2D || (c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7A) {
            let delimiters: Set<UInt8> = [0x20, 0x09, 0x0A, 0x0D, 0x2C, 0x5D, 0x5B, 0x7B, 0x7D, 0x22, 0x3A]
            while i < d.count && !delimiters.contains(d[i]) { i += 1 }
            guard i < d.count else { return nil }  // no ']' can follow
        } else {
            return nil
        }
        return i
    }

    // MARK: - Against Foundation

    /// A UTF-8 document Foundation reads as an array splits into exactly its elements.
    static func compareWithFoundation(_ document: [UInt8], _ outcome: Outcome) {
        // Foundation guesses UTF-16/32 from NUL bytes and BOMs; the splitter reads UTF-8 only.
        guard !document.contains(0), String(validating: document, as: UTF8.self) != nil,
            let array = try? JSONSerialization.jsonObject(with: Data(document), options: [.fragmentsAllowed]) as? [Any]
        else { return }
        if let error = outcome.error {
            // Deliberate: Foundation accepts a trailing comma ("[1,]"), RFC 8259 and the splitter do not.
            if error.contains("expected an array element after ',', found ']'") { return }
            violated(
                target,
                "Foundation reads an array of \(array.count) elements, the splitter fails: \(error) for \(document.hexPrefix())"
            )
        }
        check(
            outcome.shape == "array", target,
            "Foundation reads an array, the splitter's shape is \(outcome.shape ?? "nil")")
        check(
            outcome.records.count == array.count, target,
            "Foundation reads \(array.count) elements, the splitter gives \(outcome.records.count) records for \(document.hexPrefix())"
        )
        for (index, (record, element)) in zip(outcome.records, array).enumerated() {
            guard let parsed = try? JSONSerialization.jsonObject(with: Data(record.bytes), options: [.fragmentsAllowed])
            else {
                violated(
                    target, "record \(index) (\(record.bytes.hexPrefix())) does not parse alone though the array did")
            }
            check(
                canonical(parsed) == canonical(element), target,
                "record \(index) parses to \(parsed), the array's element is \(element)")
        }
    }

    static func canonical(_ value: Any) -> Data? {
        try? JSONSerialization.data(withJSONObject: [value], options: [.sortedKeys])
    }
}
