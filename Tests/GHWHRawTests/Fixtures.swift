import CGHWHZlib
import Foundation
import GHWHModel
import GHWHRaw
import Testing
import ZIPFoundation

/// A fresh temporary directory, removed when the value is released.
final class TemporaryDirectory {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "ghwh-raw-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// Writes `data` at `relative` (creating folders) and returns the absolute path.
    @discardableResult
    func write(_ data: Data, to relative: String) throws -> String {
        let full = path + "/" + relative
        try FileManager.default.createDirectory(
            atPath: (full as NSString).deletingLastPathComponent,
            withIntermediateDirectories: true)
        try data.write(to: URL(fileURLWithPath: full))
        return full
    }

    func makeDirectory(_ relative: String) throws {
        try FileManager.default.createDirectory(atPath: path + "/" + relative, withIntermediateDirectories: true)
    }
}

enum FixtureError: Error { case zlib(Int32) }

/// One gzip member of `data`, written with zlib's deflate (16 + MAX_WBITS selects the gzip wrapper).
func gzipMember(_ data: Data, level: Int32 = 6) throws -> Data {
    try zlibDeflate(data, level: level, windowBits: 16 + MAX_WBITS)
}

/// `data` deflated by zlib: `windowBits` -MAX_WBITS gives raw DEFLATE (a zip entry's data).
func zlibDeflate(_ data: Data, level: Int32 = 6, windowBits: Int32 = -MAX_WBITS) throws -> Data {
    var stream = z_stream()
    let status = deflateInit2_(
        &stream, level, Z_DEFLATED, windowBits, 8, Z_DEFAULT_STRATEGY,
        ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
    guard status == Z_OK else { throw FixtureError.zlib(status) }
    defer { deflateEnd(&stream) }
    let bound = Int(deflateBound(&stream, uLong(data.count)))
    var output = Data(count: bound)
    var input = data
    let result: Int32 = input.withUnsafeMutableBytes { inputBytes in
        output.withUnsafeMutableBytes { outputBytes in
            stream.next_in = inputBytes.baseAddress?.assumingMemoryBound(to: Bytef.self)
            stream.avail_in = uInt(inputBytes.count)
            stream.next_out = outputBytes.baseAddress?.assumingMemoryBound(to: Bytef.self)
            stream.avail_out = uInt(outputBytes.count)
            return deflate(&stream, Z_FINISH)
        }
    }
    guard result == Z_STREAM_END else { throw FixtureError.zlib(result) }
    output.count = Int(stream.total_out)
    return output
}

/// A zip entry to write: a file (with contents) or a directory.
struct ZipFixtureEntry {
    var path: String
    var contents: Data?
    var method: CompressionMethod = .deflate

    static func file(_ path: String, _ contents: Data, method: CompressionMethod = .deflate) -> ZipFixtureEntry {
        ZipFixtureEntry(path: path, contents: contents, method: method)
    }
    static func directory(_ path: String) -> ZipFixtureEntry { ZipFixtureEntry(path: path, contents: nil) }
}

/// Writes a zip with ZIPFoundation at `absolutePath`.
func writeZip(at absolutePath: String, _ entries: [ZipFixtureEntry]) throws {
    try FileManager.default.createDirectory(
        atPath: (absolutePath as NSString).deletingLastPathComponent,
        withIntermediateDirectories: true)
    let archive = try Archive(url: URL(fileURLWithPath: absolutePath), accessMode: .create)
    for entry in entries {
        if let contents = entry.contents {
            try archive.addEntry(
                with: entry.path, type: .file, uncompressedSize: Int64(contents.count),
                compressionMethod: entry.method
            ) { (position: Int64, size: Int) -> Data in
                contents.subdata(in: Int(position)..<Int(position) + size)
            }
        } else {
            try archive.addEntry(with: entry.path, type: .directory, uncompressedSize: Int64(0)) {
                (_: Int64, _: Int) -> Data in Data()
            }
        }
    }
}

/// A RawFile for a fixture at `relative` under the temp dir (kind from its name).
func rawFile(
    _ directory: TemporaryDirectory, _ relative: String, kind: RawFileKind,
    dataset: Dataset = .issues, date: String = "2024-01-02"
) throws -> RawFile {
    let path = directory.path + "/" + relative
    let size = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value ?? -1
    return RawFile(
        dataset: dataset, ingestDate: try #require(IngestDate(date)), path: path,
        relativePath: relative, size: size, kind: kind)
}

/// Streams a document and returns the concatenated bytes and each chunk's size.
func collect(_ document: RawDocument, of file: RawFile, bufferSize: Int = 1 << 20) throws -> (data: Data, chunks: [Int])
{
    var data = Data()
    var chunks: [Int] = []
    try RawReader.stream(document, of: file, bufferSize: bufferSize) { chunk in
        data.append(contentsOf: chunk)
        chunks.append(chunk.count)
    }
    return (data, chunks)
}

/// Deterministic pseudo-random JSON Lines text of about `approximateSize` bytes (compressible, varied).
func sampleJSONLines(approximateSize: Int) -> Data {
    var text = ""
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15
    var index = 0
    while text.utf8.count < approximateSize {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        text += "{\"number\":\(index),\"title\":\"issue \(state >> 20)\",\"state\":\"open\"}\n"
        index += 1
    }
    return Data(text.utf8)
}

/// The offset of the first occurrence of `needle` in `haystack`.
func offset(of needle: Data, in haystack: Data) -> Int? {
    haystack.range(of: needle).map { $0.lowerBound - haystack.startIndex }
}
