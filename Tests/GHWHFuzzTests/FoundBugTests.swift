import GHWHCluster
import GHWHJSON
import GHWHWire
import Testing

/// The bugs `make fuzz` found, each pinned by a test of its own (the crashing inputs
/// are also replayed from Tests/Fuzz/<target>/crashers by FuzzRegressionTests).
@Suite struct FoundBugTests {
    /// Records of `document` split with `mode` and `limit`, cut into chunks of `size` bytes
    /// (nil: one chunk); nil when the document fails.
    /// Each record as its bytes, and its full length if it was over the limit.
    struct Split: Equatable {
        var bytes: [UInt8]
        var oversized: Int? = nil
    }

    func split(_ document: [UInt8], _ mode: RecordSplitter.Mode, limit: Int, chunk size: Int?) -> [Split]? {
        var splitter = RecordSplitter(mode: mode, maxRecordBytes: limit)
        var records: [Split] = []
        let collect: (RecordSlice) throws -> Void = {
            records.append(Split(bytes: Array($0.bytes), oversized: $0.oversizedLength))
        }
        do {
            var start = 0
            while start < document.count {
                let end = min(document.count, start + (size ?? document.count))
                try Array(document[start..<end]).withUnsafeBytes { try splitter.consume($0, collect) }
                start = end
            }
            try splitter.finish(collect)
            return records
        } catch {
            return nil
        }
    }

    /// splitter, crash-fee9398039c4819be62db3d1db18937dc86cbe15: a JSON Lines line of exactly
    /// `maxRecordBytes` bytes followed by "\r\n" passed when the line was in one chunk (the
    /// `\r` is stripped before the size check) and failed when it was carried across chunks
    /// (the carry buffer counted the `\r` against the limit). A whitespace-only line longer
    /// than the limit had the opposite problem: skipped in one chunk, too large when carried.
    /// Now a line's fate does not depend on where the chunks are cut: the carry may hold the
    /// `\r`, a line over the limit is an oversized record (issue 13, gap 1) and a blank
    /// line is no record however long.
    @Test func aLineAtTheLimitDoesNotDependOnChunking() {
        let line = Array(#"{"id":1234567,"x":"abc"}"#.utf8)  // 24 bytes
        let document = Array("{}\r\n".utf8) + line + Array("\r\n".utf8) + line
        let braces = Split(bytes: Array("{}".utf8))
        for size in [nil, 1, 2, 3, 25, 26] as [Int?] {
            #expect(
                split(document, .lines, limit: 24, chunk: size) == [braces, Split(bytes: line), Split(bytes: line)],
                "chunk \(String(describing: size))")
            #expect(
                split(document, .lines, limit: 23, chunk: size) == [
                    braces, Split(bytes: line, oversized: 24), Split(bytes: line, oversized: 24),
                ],
                "chunk \(String(describing: size))")
        }
        let blank = Array("{}\n".utf8) + Array(repeating: 0x20, count: 30) + Array("\n{}\n".utf8)
        for size in [nil, 1, 7] as [Int?] {
            #expect(split(blank, .lines, limit: 30, chunk: size) == [braces, braces])
            #expect(
                split(blank, .lines, limit: 29, chunk: size) == [braces, braces],
                "a blank line over the limit, chunk \(String(describing: size))")
        }
    }

    /// messages, crash-134fe9e629f4702b5308c81816868b2237efad4c: `Int(r.varint())` trapped on a varint above Int.max, so one frame
    /// (an attempt number of 2^64 - 1 in a TaskAssignment, or any count, size or offset of
    /// the binary messages) killed the receiving process. Such a varint is now malformed.
    @Test func aVarintBeyondIntIsMalformedNotATrap() throws {
        let maxVarint: [UInt8] = Array(repeating: 0xFF, count: 9) + [0x01]
        #expect(throws: WireError.self) { _ = try TaskAssignment.decoded(from: [0x00] + maxVarint + [0x00]) }
        var reader = WireReader([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F])  // Int.max
        #expect(try reader.int() == Int.max)
        reader = WireReader([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01])  // Int.max + 1
        #expect(throws: WireError.self) { _ = try reader.int() }
    }
}
