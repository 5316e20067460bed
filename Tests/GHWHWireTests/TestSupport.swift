import Foundation

@testable import GHWHWire

/// A message using every writer/reader primitive, for round-trip and truncation tests.
struct SampleMessage: WireMessage, Equatable {
    static let typeCode: UInt16 = 42
    var id: UInt64
    var small: UInt8
    var port: UInt16
    var count: UInt32
    var delta: Int64
    var signedSmall: Int64
    var ratio: Double
    var flag: Bool
    var name: String
    var blob: [UInt8]
    var note: String?
    var tags: [String]
    var sizes: [UInt64]

    func encode(into w: inout WireWriter) {
        w.u64(id)
        w.u8(small)
        w.u16(port)
        w.u32(count)
        w.i64(delta)
        w.zigzag(signedSmall)
        w.double(ratio)
        w.bool(flag)
        w.string(name)
        w.bytes(blob)
        w.optional(note) { $0.string($1) }
        w.array(tags) { $0.string($1) }
        w.array(sizes) { $0.varint($1) }
    }

    static func decode(from r: inout WireReader) throws -> SampleMessage {
        SampleMessage(
            id: try r.u64("id"), small: try r.u8("small"), port: try r.u16("port"), count: try r.u32("count"),
            delta: try r.i64("delta"), signedSmall: try r.zigzag("signedSmall"), ratio: try r.double("ratio"),
            flag: try r.bool("flag"), name: try r.string("name"), blob: try r.bytes("blob"),
            note: try r.optional("note") { try $0.string("note") },
            tags: try r.array("tags") { try $0.string("tag") },
            sizes: try r.array("sizes") { try $0.varint("size") })
    }

    static let example = SampleMessage(
        id: 0xDEAD_BEEF_0102_0304, small: 7, port: 5432, count: 1_000_000, delta: -42, signedSmall: -3,
        ratio: 3.25, flag: true, name: "ghwh/issues ✓ 2024-01-01", blob: Array(0..<200).map { UInt8($0) },
        note: "héllo", tags: ["bug", "", "good first issue"], sizes: [0, 127, 128, UInt64.max])
}

enum TestEnv {
    static let secret = try! ClusterSecret("correct horse battery staple")
    static let otherSecret = try! ClusterSecret("another secret of enough length")
    static let limits = FrameLimits(maxMessageBytes: 4 << 20, maxClockSkew: 300)

    /// A fresh temp directory for ipc:// socket files.
    static func ipcURL(_ name: String) -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
            "ghwh-wire-\(UUID().uuidString.prefix(8))")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return "ipc://\(dir.path)/\(name).sock"
    }
}

/// Runs `body(i)` on `count` dedicated threads and waits for all of them.
func onThreads(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
    let threads = (0..<count).map { i in JoinableThread(name: "test-\(i)") { body(i) } }
    for t in threads { t.join() }
}

/// Thread-safe collector for results produced on other threads.
final class Collected<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [T] = []
    func add(_ item: T) {
        lock.lock()
        items.append(item)
        lock.unlock()
    }
    var all: [T] {
        lock.lock()
        defer { lock.unlock() }
        return items
    }
}

/// The error a throwing expression threw, or nil.
func wireError(_ body: () throws -> Void) -> WireError? {
    do {
        try body()
        return nil
    } catch let e as WireError { return e } catch { return .malformed("non-wire error \(error)") }
}
