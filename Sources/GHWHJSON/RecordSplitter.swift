/// Finds record boundaries in a JSON document fed in chunks of any size:
/// the elements of one top-level array, or the non-blank lines of JSON Lines.
///
/// The splitter checks only the document's structure (brackets, strings,
/// commas, the closing `]`); the content of each record is the projector's
/// business. A record that lies within one chunk is handed out without copying;
/// one that spans chunks is assembled in an internal carry buffer.
public struct RecordSplitter {
    public enum Mode: Sendable {
        /// A `.json` document: after an optional UTF-8 BOM and whitespace, `[`
        /// means an array of records and `{` means JSON Lines; anything else is
        /// a `DocumentStructureError`. Empty or whitespace-only means zero records.
        case json
        /// A `.jsonl` / `.ndjson` document: one record per non-blank line.
        case lines
    }

    /// The document's shape, known once its first significant byte was seen.
    public private(set) var shape: DocumentShape?

    private let mode: Mode
    private let maxRecordBytes: Int
    private var state: SplitState
    /// Document offset of the first byte of the chunk being consumed.
    private var chunkOffset: Int64 = 0
    private var bomMatched = 0
    private var ordinal = 0
    /// Document offset of the record being scanned (array element or line).
    private var recordOffset: Int64 = 0
    /// True when the current record started in an earlier chunk and its bytes so far are in `carry`.
    private var carrying = false
    private var carry: [UInt8] = []
    /// Brackets open inside the current array element, innermost last (true = `{`).
    private var openBrackets: [Bool] = []
    private var failure: DocumentStructureError?
    /// JSON Lines: length so far of a line found to be over the limit (0 when
    /// none is); its first bytes are in `carry` and the rest is only counted.
    private var oversizedLength = 0
    /// Whether every byte of that line so far was whitespace (a blank line is no record, however long).
    private var oversizedBlank = true
    /// The last byte of that line so far (a final `\r` is not part of the record).
    private var oversizedLastByte: UInt8 = 0

    /// The largest record accepted by default (64 MiB).
    public static let defaultMaxRecordBytes = 64 << 20

    /// - Parameter maxRecordBytes: an array element longer than this fails the
    ///   document; a longer JSON Lines line is handed out as an oversized record
    ///   (see `RecordSlice.oversizedLength`) and the next line is read as usual.
    public init(mode: Mode, maxRecordBytes: Int = RecordSplitter.defaultMaxRecordBytes) {
        self.mode = mode
        self.maxRecordBytes = maxRecordBytes
        self.state = .byteOrderMark
        if mode == .lines { shape = .lines }
        openBrackets.reserveCapacity(64)
    }

    /// Feeds the next chunk of decompressed document bytes (any size, split anywhere,
    /// even inside a UTF-8 sequence or an escape). Calls `emit` for every record that
    /// ends in this chunk; the slice is valid only during that call.
    public mutating func consume(_ chunk: UnsafeRawBufferPointer, _ emit: (RecordSlice) throws -> Void) throws {
        try consume(chunk, parse: { _ in nil }, emit)
    }

    /// `consume(_:parse:_:)` with `projector`'s `projectPrefix` as the parser; plain
    /// `consume` when there is no projector.
    public mutating func consume(
        _ chunk: UnsafeRawBufferPointer, projectingWith projector: JSONProjector?,
        _ emit: (RecordSlice) throws -> Void
    ) throws {
        guard let projector else { return try consume(chunk, emit) }
        try consume(chunk, parse: projector.projectPrefix, emit)
    }

    /// `consume`, with a parser for array elements that are objects: at the
    /// start of each such element that has not been carried over from an
    /// earlier chunk, `parse` gets the rest of the chunk and returns the
    /// element's value and length when it begins with a complete valid object
    /// (`JSONProjector.projectPrefix`). The element is then handed out with its
    /// value (`RecordSlice.projected`) without being scanned a second time;
    /// otherwise (nil, or longer than the record limit) the splitter scans it
    /// as usual, so boundaries and errors are the same either way.
    public mutating func consume(
        _ chunk: UnsafeRawBufferPointer, parse: (UnsafeRawBufferPointer) -> (value: JSONValue, length: Int)?,
        _ emit: (RecordSlice) throws -> Void
    ) throws {
        if let failure { throw failure }
        guard let base = chunk.baseAddress, chunk.count > 0 else { return }
        let p = base.assumingMemoryBound(to: UInt8.self)
        let n = chunk.count
        do {
            var i = 0
            if state == .byteOrderMark { i = try matchByteOrderMark(p, n) }
            if state == .leadingSpace { i = try detectShape(p, n, from: i) }
            if state == .inLines {
                try scanLines(p, n, from: i, emit)
            } else if i < n || state != .byteOrderMark && state != .leadingSpace {
                try scanArray(p, n, from: i, parse, emit)
            }
            chunkOffset += Int64(n)
        } catch let error as DocumentStructureError {
            failure = error
            throw error
        }
    }

    /// Ends the document: emits a last line without `\n`; throws if the array is not closed.
    public mutating func finish(_ emit: (RecordSlice) throws -> Void) throws {
        if let failure { throw failure }
        let end = chunkOffset
        switch state {
        case .byteOrderMark:
            if bomMatched == 0 { return }  // empty document
            if mode == .json {
                throw fail(at: 0, "a .json document must start with '[' or '{' (found an incomplete byte order mark)")
            }
            carry = Array([0xEF, 0xBB, 0xBF].prefix(bomMatched))
            carrying = true
            recordOffset = 0
            try emitCarriedLine(emit)
        case .leadingSpace, .afterArray:
            return
        case .inLines:
            if carrying { try emitCarriedLine(emit) }
            if oversizedLength > 0 { try emitOversizedLine(emit) }
        case .arrayStart:
            throw fail(at: end, "truncated document: the array is not closed (expected a value or ']')")
        case .afterComma:
            throw fail(at: end, "truncated document: expected an array element after ','")
        case .afterElement:
            throw fail(at: end, "truncated document: expected ',' or ']' after array element \(ordinal - 1)")
        case .inContainer:
            throw fail(
                at: end, "truncated document: array element \(ordinal) starting at byte \(recordOffset) is not closed")
        case .inContainerString, .inContainerEscape, .inTopString, .inTopEscape:
            throw fail(
                at: end,
                "truncated document: inside a string of array element \(ordinal) starting at byte \(recordOffset)")
        case .inScalar:
            throw fail(
                at: end, "truncated document: the array is not closed after element \(ordinal) (expected ',' or ']')")
        }
    }

    // MARK: - Document start

    /// Skips a UTF-8 byte order mark at document start, even split across chunks.
    private mutating func matchByteOrderMark(_ p: UnsafePointer<UInt8>, _ n: Int) throws -> Int {
        let bom: (UInt8, UInt8, UInt8) = (0xEF, 0xBB, 0xBF)
        var i = 0
        while i < n && bomMatched < 3 {
            let expected = bomMatched == 0 ? bom.0 : bomMatched == 1 ? bom.1 : bom.2
            if p[i] != expected { break }
            bomMatched += 1
            i += 1
        }
        if bomMatched == 3 {
            enterContent()
        } else if i < n {
            // Not a BOM after all: the bytes matched so far are content.
            if bomMatched > 0 {
                if mode == .json {
                    throw fail(at: 0, "a .json document must start with '[' or '{' (found byte 0xEF)")
                }
                carry = Array([0xEF, 0xBB, 0xBF].prefix(bomMatched))
                carrying = true
                recordOffset = 0
            }
            enterContent()
        }
        return i
    }

    private mutating func enterContent() {
        state = mode == .lines ? .inLines : .leadingSpace
    }

    /// `.json` mode: the first significant byte decides between an array and JSON Lines.
    private mutating func detectShape(_ p: UnsafePointer<UInt8>, _ n: Int, from start: Int) throws -> Int {
        var i = start
        while i < n && isJSONWhitespace(p[i]) { i += 1 }
        guard i < n else { return i }
        switch p[i] {
        case 0x5B:
            shape = .array
            state = .arrayStart
            return i + 1
        case 0x7B:
            shape = .lines
            state = .inLines
            recordOffset = chunkOffset + Int64(i)
            return i
        default:
            throw fail(
                at: chunkOffset + Int64(i),
                "a .json document must start with '[' or '{' (found \(describeByte(p[i])))")
        }
    }

    // MARK: - JSON Lines

    private mutating func scanLines(
        _ p: UnsafePointer<UInt8>, _ n: Int, from start: Int,
        _ emit: (RecordSlice) throws -> Void
    ) throws {
        var lineStart = start
        if !carrying && oversizedLength == 0 { recordOffset = chunkOffset + Int64(start) }
        while lineStart < n {
            // Find the next newline a word at a time.
            var i = lineStart
            while i + 8 <= n {
                let mask = SWAR.equal(SWAR.load(p, i), 0x0A)
                if mask != 0 {
                    i += SWAR.firstIndex(mask)
                    break
                }
                i += 8
            }
            while i < n && p[i] != 0x0A { i += 1 }
            if i == n { break }
            if carrying || oversizedLength > 0 {
                appendLinePart(p + lineStart, i - lineStart)
                if oversizedLength > 0 { try emitOversizedLine(emit) } else { try emitCarriedLine(emit) }
            } else {
                try emitLine(p + lineStart, i - lineStart, emit)
            }
            lineStart = i + 1
            recordOffset = chunkOffset + Int64(lineStart)
        }
        if lineStart < n {
            if !carrying && oversizedLength == 0 { recordOffset = chunkOffset + Int64(lineStart) }
            appendLinePart(p + lineStart, n - lineStart)
        }
    }

    /// Adds part of a line that spans chunks: to `carry` while the line fits the
    /// limit; past it, only its length is counted and `carry` keeps the excerpt.
    private mutating func appendLinePart(_ p: UnsafePointer<UInt8>, _ count: Int) {
        // One byte of slack: a line's final `\r` is stripped before its length is judged.
        if oversizedLength == 0 && carry.count + count <= maxRecordBytes + 1 {
            carry.append(contentsOf: UnsafeBufferPointer(start: p, count: count))
            carrying = true
            return
        }
        if oversizedLength == 0 {
            // The line just went over the limit: keep its first bytes for the reject.
            oversizedLength = carry.count
            oversizedBlank = carry.allSatisfy(isJSONWhitespace)
            oversizedLastByte = carry.last ?? 0
            carrying = false
            if carry.count > RecordSlice.excerptBytes {
                carry.removeSubrange(RecordSlice.excerptBytes...)
            }
        }
        if carry.count < RecordSlice.excerptBytes {
            carry.append(
                contentsOf: UnsafeBufferPointer(start: p, count: min(count, RecordSlice.excerptBytes - carry.count)))
        }
        if oversizedBlank {
            var k = 0
            while k < count && isJSONWhitespace(p[k]) { k += 1 }
            oversizedBlank = k == count
        }
        if count > 0 { oversizedLastByte = p[count - 1] }
        oversizedLength += count
    }

    private mutating func emitCarriedLine(_ emit: (RecordSlice) throws -> Void) throws {
        carrying = false
        try carry.withUnsafeBufferPointer { buffer in
            if let b = buffer.baseAddress { try emitLine(b, buffer.count, emit) }
        }
        resetCarry()
    }

    /// Hands out the line that went over the limit as an oversized record (its
    /// excerpt and length) unless it was blank.
    private mutating func emitOversizedLine(_ emit: (RecordSlice) throws -> Void) throws {
        let length = oversizedLength - (oversizedLastByte == 0x0D ? 1 : 0)
        oversizedLength = 0
        defer {
            resetCarry()
            oversizedBlank = true
        }
        if oversizedBlank { return }
        // (A line goes oversized at maxRecordBytes + 2 bytes, so without its `\r` it is still over.)
        let index = ordinal
        ordinal += 1
        try carry.withUnsafeBytes { excerpt in
            let kept = UnsafeRawBufferPointer(rebasing: excerpt.prefix(min(excerpt.count, length)))
            try emit(RecordSlice(bytes: kept, ordinal: index, offset: recordOffset, oversizedLength: length))
        }
    }

    /// Emits a line unless it is blank; strips one trailing `\r`. A line over
    /// the limit is handed out as an oversized record.
    private mutating func emitLine(
        _ p: UnsafePointer<UInt8>, _ length: Int,
        _ emit: (RecordSlice) throws -> Void
    ) throws {
        var count = length
        if count > 0 && p[count - 1] == 0x0D { count -= 1 }
        var k = 0
        while k < count && isJSONWhitespace(p[k]) { k += 1 }
        if k == count { return }
        let oversized = count > maxRecordBytes
        let slice = RecordSlice(
            bytes: UnsafeRawBufferPointer(start: p, count: oversized ? min(count, RecordSlice.excerptBytes) : count),
            ordinal: ordinal, offset: recordOffset, oversizedLength: oversized ? count : nil)
        ordinal += 1
        try emit(slice)
    }

    // MARK: - Array

    /// The array scanner's state machine, kept in one function on purpose: it is the
    /// hot loop (3.7 GB/s), and its states resume across chunk boundaries, which is
    /// easiest to check when every transition is in view.
    private mutating func scanArray(
        _ p: UnsafePointer<UInt8>, _ n: Int, from start: Int,
        _ parse: (UnsafeRawBufferPointer) -> (value: JSONValue, length: Int)?,
        _ emit: (RecordSlice) throws -> Void
    ) throws {
        let byteClass = SplitterByteClass.table
        let scalarTerminator = SplitterByteClass.scalarTerminator
        var i = start
        var state = self.state
        // Start of the current element in this chunk (meaningful when not carrying).
        var recordStart = 0
        defer { self.state = state }

        while i < n {
            switch state {
            case .inContainer:
                // Hot loop: skip everything but quotes and brackets.
                while i < n {
                    let cls = byteClass[Int(p[i])]
                    if cls == SplitterByteClass.plain {
                        i += 1
                        continue
                    }
                    i += 1
                    if cls == SplitterByteClass.quote {
                        state = .inContainerString
                        break
                    }
                    if cls <= SplitterByteClass.openArray {
                        openBrackets.append(cls == SplitterByteClass.openObject)
                        continue
                    }
                    let closesObject = cls == SplitterByteClass.closeObject
                    guard let open = openBrackets.popLast(), open == closesObject else {
                        throw fail(
                            at: chunkOffset + Int64(i - 1),
                            "mismatched '\(closesObject ? "}" : "]")' in array element \(ordinal)")
                    }
                    if openBrackets.isEmpty {
                        try endRecord(p, recordStart, i, emit)
                        state = .afterElement
                        break
                    }
                }

            case .inContainerString, .inTopString:
                // Only '"' and '\' matter inside a string: look at 8 bytes at a time.
                var found = false
                while i + 8 <= n {
                    let w = SWAR.load(p, i)
                    let mask = SWAR.equal(w, 0x22) | SWAR.equal(w, 0x5C)
                    if mask != 0 {
                        i += SWAR.firstIndex(mask)
                        found = true
                        break
                    }
                    i += 8
                }
                if !found {
                    while i < n && p[i] != 0x22 && p[i] != 0x5C { i += 1 }
                    if i == n { break }
                }
                if p[i] == 0x5C {
                    i += 1
                    if i == n {
                        state = state == .inTopString ? .inTopEscape : .inContainerEscape
                    } else {
                        i += 1
                    }
                } else {
                    i += 1
                    if state == .inTopString {
                        try endRecord(p, recordStart, i, emit)
                        state = .afterElement
                    } else {
                        state = .inContainer
                    }
                }

            case .inContainerEscape:
                i += 1
                state = .inContainerString

            case .inTopEscape:
                i += 1
                state = .inTopString

            case .inScalar:
                while i < n && !scalarTerminator[Int(p[i])] { i += 1 }
                if i < n {
                    try endRecord(p, recordStart, i, emit)
                    state = .afterElement
                }

            case .afterElement:
                while i < n && isJSONWhitespace(p[i]) { i += 1 }
                guard i < n else { break }
                let c = p[i]
                if c == 0x2C {
                    state = .afterComma
                } else if c == 0x5D {
                    state = .afterArray
                } else {
                    throw fail(
                        at: chunkOffset + Int64(i),
                        "expected ',' or ']' after array element \(ordinal - 1), found \(describeByte(c))")
                }
                i += 1

            case .arrayStart, .afterComma:
                while i < n && isJSONWhitespace(p[i]) { i += 1 }
                guard i < n else { break }
                let c = p[i]
                if c == 0x5D {
                    if state == .afterComma {
                        throw fail(at: chunkOffset + Int64(i), "expected an array element after ',', found ']'")
                    }
                    state = .afterArray
                    i += 1
                    continue
                }
                recordStart = i
                recordOffset = chunkOffset + Int64(i)
                if c == 0x7B, let parsed = parse(UnsafeRawBufferPointer(start: p + i, count: n - i)),
                    parsed.length <= maxRecordBytes
                {
                    i += parsed.length
                    let index = ordinal
                    ordinal += 1
                    try emit(
                        RecordSlice(
                            bytes: UnsafeRawBufferPointer(start: p + recordStart, count: parsed.length),
                            ordinal: index, offset: recordOffset, projected: parsed.value))
                    state = .afterElement
                    continue
                }
                if c == 0x7B || c == 0x5B {
                    openBrackets.removeAll(keepingCapacity: true)
                    openBrackets.append(c == 0x7B)
                    state = .inContainer
                } else if c == 0x22 {
                    state = .inTopString
                } else if SplitterByteClass.startsScalar(c) {
                    state = .inScalar
                } else {
                    throw fail(at: chunkOffset + Int64(i), "expected an array element, found \(describeByte(c))")
                }
                i += 1

            case .afterArray:
                while i < n && isJSONWhitespace(p[i]) { i += 1 }
                if i < n {
                    throw fail(
                        at: chunkOffset + Int64(i),
                        "unexpected \(describeByte(p[i])) after the closing ']' of the array")
                }

            case .byteOrderMark, .leadingSpace, .inLines:
                preconditionFailure("scanArray entered in state \(state)")
            }
        }

        // The chunk ended inside an element: keep its bytes so far.
        if state.isInsideElement {
            if carrying {
                try appendToCarry(p, n)
            } else {
                try appendToCarry(p + recordStart, n - recordStart)
                carrying = true
            }
        }
    }

    /// Hands out the element ending at `end` (exclusive) in this chunk.
    private mutating func endRecord(
        _ p: UnsafePointer<UInt8>, _ recordStart: Int, _ end: Int,
        _ emit: (RecordSlice) throws -> Void
    ) throws {
        let index = ordinal
        ordinal += 1
        if carrying {
            try appendToCarry(p, end)
            carrying = false
            try carry.withUnsafeBytes { bytes in
                try emit(RecordSlice(bytes: bytes, ordinal: index, offset: recordOffset))
            }
            resetCarry()
        } else {
            let length = end - recordStart
            if length > maxRecordBytes { throw tooLarge(length) }
            try emit(
                RecordSlice(
                    bytes: UnsafeRawBufferPointer(start: p + recordStart, count: length),
                    ordinal: index, offset: recordOffset))
        }
    }

    // MARK: - Carry buffer

    private mutating func appendToCarry(_ p: UnsafePointer<UInt8>, _ count: Int) throws {
        if carry.count + count > maxRecordBytes { throw tooLarge(carry.count + count) }
        carry.append(contentsOf: UnsafeBufferPointer(start: p, count: count))
    }

    private mutating func resetCarry() {
        // Keep a modest buffer for the next spanning record; give a huge one back.
        if carry.capacity > 4 << 20 { carry = [] } else { carry.removeAll(keepingCapacity: true) }
    }

    // MARK: - Errors

    private mutating func fail(at offset: Int64, _ reason: String) -> DocumentStructureError {
        let error = DocumentStructureError(offset: offset, reason: reason)
        failure = error
        return error
    }

    private mutating func tooLarge(_ size: Int) -> DocumentStructureError {
        fail(
            at: recordOffset,
            "record \(ordinal) is larger than the limit of \(maxRecordBytes) bytes (at least \(size) bytes)")
    }
}

/// Where the splitter is in the document between two bytes.
enum SplitState: UInt8 {
    case byteOrderMark  // at document start, possibly inside a BOM
    case leadingSpace  // .json mode: whitespace before the first significant byte
    case arrayStart  // after '[': an element or ']'
    case afterComma  // after ',': an element
    case afterElement  // after an element: ',' or ']'
    case inContainer  // inside an object/array element, outside strings
    case inContainerString  // inside a string nested in an element
    case inContainerEscape  // just after '\' in such a string
    case inTopString  // inside an element that is a string
    case inTopEscape  // just after '\' in such a string
    case inScalar  // inside an element that is a number or literal
    case afterArray  // after the closing ']': only whitespace
    case inLines  // JSON Lines

    var isInsideElement: Bool {
        switch self {
        case .inContainer, .inContainerString, .inContainerEscape, .inTopString, .inTopEscape, .inScalar: true
        default: false
        }
    }
}
