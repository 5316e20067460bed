/// Where stored (possibly compressed) bytes are read from: a raw file, or a
/// document's stored bytes carried in memory by a task. `offset` is the
/// position in the raw file of the next byte, so errors name file offsets
/// either way.
protocol ByteInput: AnyObject {
    var offset: Int64 { get }
    /// Fills up to `buffer.count` bytes; returns 0 only at the end.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(RawReadError) -> Int
}

extension ReadOnlyFile: ByteInput {}

/// Bytes in memory that were read from a raw file starting at `startOffset`.
final class MemoryInput: ByteInput {
    private let bytes: ArraySlice<UInt8>
    private let startOffset: Int64
    private var position = 0

    init(_ bytes: ArraySlice<UInt8>, startOffset: Int64) {
        self.bytes = bytes
        self.startOffset = startOffset
    }

    var offset: Int64 { startOffset + Int64(position) }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(RawReadError) -> Int {
        let count = min(buffer.count, bytes.count - position)
        guard count > 0, let target = buffer.baseAddress else { return 0 }
        bytes.withUnsafeBytes { source in
            target.copyMemory(from: source.baseAddress! + position, byteCount: count)
        }
        position += count
        return count
    }
}
