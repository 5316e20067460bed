import CGHWHZlib
import Foundation
import GHWHRandom
import Testing

@testable import GHWHRaw

/// Zip entries are decoded by ISA-L, not zlib: on any stream zlib writes it must
/// give zlib's bytes, and on a damaged stream an error naming the entry (never a
/// crash, a hang or wrong bytes passed on as good).
@Suite struct DeflateDecoderTests {
    /// JSON-like text with repeats (long matches) and noise (literals), as dumps are.
    static func sample(_ n: Int, seed: UInt64) -> Data {
        var rng = SplitMix64(state: seed)
        var out = [UInt8]()
        out.reserveCapacity(n)
        let words = ["\"login\": ", "\"labels\": [", "\"created_at\": \"2024-01-0", "null", "{\n  ", "},\n"]
        while out.count < n {
            if rng.below(3) == 0 {
                for _ in 0..<(1 + rng.below(40)) { out.append(UInt8(32 + rng.below(95))) }
            } else {
                out += Array(words[rng.below(words.count)].utf8)
            }
        }
        return Data(out.prefix(n))
    }

    static func entry(_ compressed: Data, of original: Data) -> StoredDocument {
        let crc = original.withUnsafeBytes {
            crc32(0, $0.baseAddress?.assumingMemoryBound(to: Bytef.self), uInt($0.count))
        }
        return StoredDocument(
            source: "t.zip!t.json", format: .json,
            encoding: .zipEntry(
                method: 8, crc32: UInt32(crc), uncompressedSize: UInt64(original.count), dataOffset: 100),
            bytes: ArraySlice(compressed))
    }

    static func decode(_ document: StoredDocument, bufferSize: Int) throws -> Data {
        var out = Data()
        try document.stream(bufferSize: bufferSize) { out.append(contentsOf: $0) }
        return out
    }

    @Test(arguments: [0, 1, 6, 9])
    func givesZlibsBytesAtEveryLevelAndBufferSize(level: Int32) throws {
        for (n, seed) in [(0, 1), (1, 2), (70_000, 3), (3_000_000, 4)] as [(Int, UInt64)] {
            let original = Self.sample(n, seed: seed)
            let document = Self.entry(try zlibDeflate(original, level: level), of: original)
            for bufferSize in [1, 7, 65_536, 1 << 20] where n < 100_000 || bufferSize > 1000 {
                #expect(try Self.decode(document, bufferSize: bufferSize) == original, "n \(n) buffer \(bufferSize)")
            }
        }
    }

    @Test func aDamagedStreamFailsWithAnErrorNamingTheEntry() throws {
        let original = Self.sample(400_000, seed: 9)
        let compressed = try zlibDeflate(original)
        var rng = SplitMix64(state: 42)
        var failures = 0
        for trial in 0..<300 {
            var damaged = compressed
            let at = rng.below(damaged.count)
            damaged[at] ^= UInt8(1 + rng.below(255))
            if trial % 3 == 0 { damaged = damaged.prefix(rng.below(damaged.count)) }  // and truncated
            do {
                let out = try Self.decode(Self.entry(damaged, of: original), bufferSize: 65_536)
                // A flip in bits the decoder never reads leaves the data intact.
                #expect(out == original, "trial \(trial): wrong bytes passed as good")
            } catch let error as RawReadError {
                failures += 1
                #expect(error.source == "t.zip!t.json")
                #expect(!error.reason.isEmpty)
            }
        }
        #expect(failures > 250, "most damage is detected (\(failures) of 300)")
    }

    @Test func aStreamEndingEarlyIsTruncatedDeflateData() throws {
        let original = Self.sample(200_000, seed: 5)
        let compressed = try zlibDeflate(original)
        let error = #expect(throws: RawReadError.self) {
            try Self.decode(Self.entry(compressed.prefix(compressed.count / 2), of: original), bufferSize: 4096)
        }
        #expect(error?.reason.contains("truncated deflate data") == true, "\(String(describing: error))")
    }
}
