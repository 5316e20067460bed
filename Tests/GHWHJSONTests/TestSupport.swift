import Foundation
import GHWHJSON
import Testing

/// One record as the splitter handed it out, copied so it outlives the callback.
struct SplitRecord: Equatable, CustomStringConvertible {
    let text: String
    let ordinal: Int
    let offset: Int64
    /// Set for a JSON Lines line over the limit (`text` is then its excerpt).
    var oversizedLength: Int? = nil
    var description: String {
        "#\(ordinal)@\(offset)\(oversizedLength.map { " oversized \($0)" } ?? "") \(text.debugDescription)"
    }
}

/// Runs a splitter over `document`, cut into chunks at `cuts` (ascending byte positions).
/// Every split also runs with a parser (objects validated and projected as the splitter
/// finds them, as the silver runner splits): it must give the same records and error,
/// and each record it parsed the value the projector gives that record alone.
func split(
    _ document: [UInt8], mode: RecordSplitter.Mode = .json, cuts: [Int],
    maxRecordBytes: Int = 64 << 20
) throws -> [SplitRecord] {
    let plain = Result { try split(document, mode: mode, cuts: cuts, maxRecordBytes: maxRecordBytes, parser: nil) }
    let parsed = Result {
        try split(document, mode: mode, cuts: cuts, maxRecordBytes: maxRecordBytes, parser: splitTestParser)
    }
    switch (plain, parsed) {
    case (.success(let a), .success(let b)):
        #expect(a == b, "with a parser: \(b)")
    case (.failure(let a as DocumentStructureError), .failure(let b as DocumentStructureError)):
        #expect(a.offset == b.offset && a.reason == b.reason, "with a parser: \(b)")
    default:
        Issue.record("with a parser: \(parsed), without: \(plain)")
    }
    return try plain.get()
}

/// Selects a member and limits depth to 6, so parsed records take every path of the projector.
let splitTestParser = JSONProjector(["a": .all, "s": .all], maxDepth: 6)

private func split(
    _ document: [UInt8], mode: RecordSplitter.Mode, cuts: [Int], maxRecordBytes: Int, parser: JSONProjector?
) throws -> [SplitRecord] {
    var splitter = RecordSplitter(mode: mode, maxRecordBytes: maxRecordBytes)
    var records: [SplitRecord] = []
    let collect: (RecordSlice) throws -> Void = { slice in
        if let projected = slice.projected {
            let alone = try? parser?.project(slice.bytes)
            #expect(alone == projected, "record \(slice.ordinal)")
        }
        records.append(
            SplitRecord(
                text: String(decoding: slice.bytes, as: UTF8.self),
                ordinal: slice.ordinal, offset: slice.offset, oversizedLength: slice.oversizedLength))
    }
    var start = 0
    for cut in cuts + [document.count] where cut >= start {
        // A fresh array per chunk: a slice that points outside its chunk would show up as garbage.
        let chunk = Array(document[start..<cut])
        try chunk.withUnsafeBytes { try splitter.consume($0, projectingWith: parser, collect) }
        start = cut
    }
    try splitter.finish(collect)
    return records
}

/// Runs a splitter over `document` fed in chunks of `chunkSize` bytes (nil: one chunk).
func split(
    _ document: [UInt8], mode: RecordSplitter.Mode = .json, chunkSize: Int? = nil,
    maxRecordBytes: Int = 64 << 20
) throws -> [SplitRecord] {
    let size = max(chunkSize ?? document.count, 1)
    let cuts = Array(stride(from: size, to: document.count, by: size))
    return try split(document, mode: mode, cuts: cuts, maxRecordBytes: maxRecordBytes)
}

func split(
    _ document: String, mode: RecordSplitter.Mode = .json, chunkSize: Int? = nil,
    maxRecordBytes: Int = 64 << 20
) throws -> [SplitRecord] {
    try split(Array(document.utf8), mode: mode, chunkSize: chunkSize, maxRecordBytes: maxRecordBytes)
}

/// The structure error a document produces (nil if it splits cleanly).
func structureError(
    _ document: [UInt8], mode: RecordSplitter.Mode = .json, cuts: [Int] = [],
    maxRecordBytes: Int = 64 << 20
) -> DocumentStructureError? {
    do {
        _ = try split(document, mode: mode, cuts: cuts, maxRecordBytes: maxRecordBytes)
        return nil
    } catch let error as DocumentStructureError {
        return error
    } catch {
        Issue.record("unexpected error type: \(error)")
        return nil
    }
}

func structureError(_ document: String, mode: RecordSplitter.Mode = .json) -> DocumentStructureError? {
    structureError(Array(document.utf8), mode: mode)
}

/// Projects `text` with `selection`; top-level non-objects come back whole.
func project(_ text: String, _ selection: [String: JSONSelection] = [:], maxDepth: Int = 128)
    throws(JSONSyntaxError) -> JSONValue
{
    try JSONProjector(selection, maxDepth: maxDepth).project(Array(text.utf8))
}

func parse(_ bytes: [UInt8], maxDepth: Int = 128) throws(JSONSyntaxError) -> JSONValue {
    try JSONValue.parse(bytes, maxDepth: maxDepth)
}

func parse(_ text: String, maxDepth: Int = 128) throws(JSONSyntaxError) -> JSONValue {
    try JSONValue.parse(Array(text.utf8), maxDepth: maxDepth)
}

/// The syntax error `bytes` produce (nil if they parse).
func syntaxError(_ bytes: [UInt8], maxDepth: Int = 128) -> JSONSyntaxError? {
    do {
        _ = try JSONValue.parse(bytes, maxDepth: maxDepth)
        return nil
    } catch {
        return error
    }
}

func syntaxError(_ text: String, maxDepth: Int = 128) -> JSONSyntaxError? {
    syntaxError(Array(text.utf8), maxDepth: maxDepth)
}
