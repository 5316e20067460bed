import CGHWHZlib
import Foundation
import GHWHRaw

/// What streaming a document gave: the bytes delivered, then the error if any.
struct StreamOutcome: Equatable {
    var bytes: [UInt8] = []
    /// `source: reason` of the `RawReadError`, nil when the stream ended normally.
    var error: String?
    /// The fuzz target stopped a stream that produced too much (a decompression bomb);
    /// nothing is compared for it.
    var aborted = false
    var failed: Bool { error != nil }
}

/// Thrown from `consume` to stop a stream past the work budget.
struct BudgetExceeded: Error {}

enum RawSupport {
    /// Buffer sizes a stream is asked for (chunks must be 1...size bytes).
    static let bufferSizes = [1, 2, 3, 7, 64, 1000, 4096, 65536]

    /// The two read-buffer sizes an input's flag byte picks (bits 1-3 and 4-6).
    static func bufferSizes(_ flags: UInt8) -> (Int, Int) {
        (bufferSizes[Int(flags >> 1) & 7], bufferSizes[Int(flags >> 4) & 7])
    }
    /// Output a single stream may produce before the target stops it.
    static let maxOutputBytes = 4 << 20
    static let maxChunks = 200_000

    /// Streams via `body`, checking chunk sizes, within the budget; a `RawReadError` is
    /// recorded, a `BudgetExceeded` marks the outcome aborted, anything else is a violation.
    static func collect(
        _ target: FuzzTarget, bufferSize: Int,
        _ body: ((UnsafeRawBufferPointer) throws -> Void) throws -> Void
    ) -> StreamOutcome {
        var outcome = StreamOutcome()
        var chunks = 0
        do {
            try body { chunk in
                check(
                    chunk.count >= 1 && chunk.count <= bufferSize, target,
                    "a chunk of \(chunk.count) bytes with bufferSize \(bufferSize)")
                chunks += 1
                if outcome.bytes.count + chunk.count > maxOutputBytes || chunks > maxChunks { throw BudgetExceeded() }
                outcome.bytes.append(contentsOf: chunk)
            }
        } catch let error as RawReadError {
            outcome.error = "\(error.source): \(error.reason)"
        } catch is BudgetExceeded {
            outcome.aborted = true
        } catch {
            violated(target, "stream threw \(type(of: error)) (\(error)), not RawReadError")
        }
        return outcome
    }

    /// A file that lives for one run of a target (in /dev/shm when there is one).
    static func withTemporaryFile<R>(named name: String, contents: [UInt8], _ body: (String) throws -> R) rethrows -> R
    {
        let directory = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        let path = "\(directory)/ghwh-fuzz-\(getpid())-\(name)"
        guard FileManager.default.createFile(atPath: path, contents: Data(contents)) else {
            fatalError("ghwh-fuzz: cannot write \(path)")
        }
        defer { unlink(path) }
        return try body(path)
    }

    static func rawFile(path: String, relativePath: String, size: Int, kind: RawFileKind) -> RawFile {
        RawFile(
            dataset: .issues, ingestDate: IngestDate(year: 2024, month: 1, day: 2)!, path: path,
            relativePath: relativePath, size: Int64(size), kind: kind)
    }
}

/// zlib's deflate and CRC-32, to build valid archives and gzip files.
enum Zlib {
    static func crc(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBufferPointer { UInt32(truncatingIfNeeded: crc32(0, $0.baseAddress, uInt($0.count))) }
    }

    /// `windowBits` -15 for raw deflate (zip), 31 for a gzip member.
    static func deflate(_ input: [UInt8], level: Int32, windowBits: Int32) -> [UInt8] {
        var stream = z_stream()
        let status = deflateInit2_(
            &stream, level, Z_DEFLATED, windowBits, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION,
            Int32(MemoryLayout<z_stream>.size))
        precondition(status == Z_OK, "deflateInit2 failed: \(status)")
        defer { deflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(input.count))) + 64)
        var input = input
        let produced: Int = input.withUnsafeMutableBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                stream.next_in = source.baseAddress
                stream.avail_in = uInt(source.count)
                stream.next_out = target.baseAddress
                stream.avail_out = uInt(target.count)
                let result = CGHWHZlib.deflate(&stream, Z_FINISH)
                precondition(result == Z_STREAM_END, "deflate did not finish: \(result)")
                return target.count - Int(stream.avail_out)
            }
        }
        return Array(output[0..<produced])
    }
}

extension Array where Element == UInt8 {
    mutating func le16(_ v: UInt16) {
        append(UInt8(v & 0xFF))
        append(UInt8(v >> 8))
    }
    mutating func le32(_ v: UInt32) {
        le16(UInt16(v & 0xFFFF))
        le16(UInt16(v >> 16))
    }
}
