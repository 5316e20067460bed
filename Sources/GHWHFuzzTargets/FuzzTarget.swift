import GHWHRandom
import GHWHSampleData

/// Coverage-guided fuzz targets for the parsers and the wire protocol (issue 13).
///
/// Each target is a pure function of its input bytes that checks properties the
/// code promises (documented behaviour, agreement with a reference decoder or
/// with itself under a different chunking, round trips) and stops the process
/// with `fatalError` when one does not hold: a stop always means a real bug.
/// `ghwh-fuzz` links them into libFuzzer (`make fuzz`) and replays files;
/// `GHWHFuzzTests` replays the committed seeds and crashers.
public enum FuzzTarget: String, CaseIterable, Sendable {
    /// `RecordSplitter` over JSON arrays and JSON Lines under three chunkings.
    case splitter
    /// `JSONProjector` / `JSONValue.parse` against Foundation's `JSONSerialization`.
    case projector
    /// Zip central directory and entries: file streaming against stored bytes, and built archives.
    case zip
    /// Gzip streams: file against memory, buffer sizes, and built multi-member files.
    case gzip
    /// Frame decoding, authentication, digest tables and the replay guard.
    case frame
    /// Every cluster message type: decode, re-encode, decode again.
    case messages

    /// Runs the target on one input. Returns normally unless a property fails.
    public static func run(_ target: FuzzTarget, _ bytes: UnsafeRawBufferPointer) {
        let input = Array(bytes)
        switch target {
        case .splitter: SplitterTarget.run(input)
        case .projector: ProjectorTarget.run(input)
        case .zip: ZipTarget.run(input)
        case .gzip: GzipTarget.run(input)
        case .frame: FrameTarget.run(input)
        case .messages: MessagesTarget.run(input)
        }
    }

    /// Convenience for byte arrays (tests, replay).
    public static func run(_ target: FuzzTarget, _ bytes: [UInt8]) {
        bytes.withUnsafeBytes { run(target, $0) }
    }

    /// The `-max_len` `make fuzz` gives libFuzzer: large enough for the seeds
    /// and for interesting structure, small enough for many runs per second.
    public var maxLength: Int {
        switch self {
        case .splitter, .projector: return 4096
        case .zip: return 16384
        case .gzip: return 8192
        case .frame, .messages: return 4096
        }
    }
}

/// Stops the process: a property of the code under test does not hold.
func violated(
    _ target: FuzzTarget, _ message: @autoclosure () -> String,
    file: StaticString = #fileID, line: UInt = #line
) -> Never {
    fatalError("ghwh-fuzz \(target.rawValue): property violated: \(message())", file: file, line: line)
}

func check(
    _ condition: @autoclosure () -> Bool, _ target: FuzzTarget, _ message: @autoclosure () -> String,
    file: StaticString = #fileID, line: UInt = #line
) {
    if !condition() { violated(target, message(), file: file, line: line) }
}

/// Reads option bytes off the front of an input; past the end every read is 0.
struct ByteCursor {
    let bytes: [UInt8]
    private(set) var position = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var isAtEnd: Bool { position >= bytes.count }
    var remaining: Int { max(0, bytes.count - position) }

    mutating func byte() -> UInt8 {
        guard position < bytes.count else { return 0 }
        defer { position += 1 }
        return bytes[position]
    }

    mutating func u16() -> UInt16 { UInt16(byte()) | UInt16(byte()) << 8 }
    mutating func u32() -> UInt32 { UInt32(u16()) | UInt32(u16()) << 16 }
    mutating func u64() -> UInt64 { UInt64(u32()) | UInt64(u32()) << 32 }

    /// Up to `count` bytes (fewer at the end).
    mutating func take(_ count: Int) -> [UInt8] {
        let end = min(bytes.count, position + max(0, count))
        defer { position = max(position, end) }
        return position < end ? Array(bytes[position..<end]) : []
    }

    /// Everything not read yet.
    mutating func rest() -> [UInt8] { take(remaining) }
}

/// The project's deterministic generator, seeded from an input's bytes (FNV-1a) and a
/// salt, for choices derived from an input.
typealias SplitMix = SplitMix64

extension SplitMix64 {
    init(hashing bytes: [UInt8], salt: UInt64 = 0) {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325  // FNV-1a
        for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        self.init(h, salt)
    }
}

extension Array where Element == UInt8 {
    /// Hex of the first `limit` bytes, for violation messages.
    func hexPrefix(_ limit: Int = 64) -> String {
        let digits = prefix(limit).map { b in (b < 16 ? "0" : "") + String(b, radix: 16) }.joined()
        return count > limit ? digits + "...(\(count) bytes)" : digits
    }

    /// True when `other` is a prefix of `self` or `self` a prefix of `other`.
    func isPrefixRelated(to other: [UInt8]) -> Bool {
        let n = Swift.min(count, other.count)
        return self[0..<n] == other[0..<n]
    }
}
