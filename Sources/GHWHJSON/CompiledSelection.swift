/// A `JSONSelection` turned into something that can be matched against raw
/// key bytes without building a String for every key of every object.
final class CompiledSelection: @unchecked Sendable {
    // @unchecked: immutable after init; the key bytes live in an owned buffer.

    /// Keep every member (and every nested value) whole.
    let isAll: Bool
    /// Selected members, grouped by the UTF-8 length of their key.
    let members: [Member]
    /// Members whose key is `L` bytes long are `members[bucketStart[L] ..< bucketStart[L + 1]]`.
    private let bucketStart: [Int]
    /// All keys' UTF-8 bytes back to back, in `members` order.
    private let keyBytes: UnsafeMutablePointer<UInt8>
    private let keyOffsets: [Int]

    struct Member: Sendable {
        let name: String
        let selection: CompiledSelection
    }

    static let all = CompiledSelection()

    private init() {
        isAll = true
        members = []
        bucketStart = [0]
        keyBytes = .allocate(capacity: 1)
        keyOffsets = []
    }

    init(_ fields: [String: JSONSelection]) {
        isAll = false
        let sorted = fields.map { (key: Array($0.key.utf8), name: $0.key, selection: $0.value) }
            .sorted { $0.key.count < $1.key.count }
        let maxLength = sorted.last?.key.count ?? 0
        var starts = [Int](repeating: 0, count: maxLength + 2)
        for entry in sorted { starts[entry.key.count + 1] += 1 }
        for length in 0...maxLength { starts[length + 1] += starts[length] }
        bucketStart = starts
        members = sorted.map { entry in
            let sub: CompiledSelection
            switch entry.selection {
            case .all: sub = .all
            case .fields(let nested): sub = CompiledSelection(nested)
            }
            return Member(name: entry.name, selection: sub)
        }
        let total = sorted.reduce(0) { $0 + $1.key.count }
        keyBytes = .allocate(capacity: max(total, 1))
        var offsets: [Int] = []
        var at = 0
        for entry in sorted {
            offsets.append(at)
            (keyBytes + at).initialize(from: entry.key, count: entry.key.count)
            at += entry.key.count
        }
        keyOffsets = offsets
    }

    deinit { keyBytes.deallocate() }

    /// Index in `members` of the member whose key is empty, or nil.
    func lookupEmpty() -> Int? { bucketStart.count > 1 && bucketStart[1] > 0 ? 0 : nil }

    /// Index in `members` of the member whose key is exactly these bytes, or nil.
    @inline(__always)
    func lookup(_ p: UnsafePointer<UInt8>, _ count: Int) -> Int? {
        guard count + 1 < bucketStart.count else { return nil }
        var index = bucketStart[count]
        let stop = bucketStart[count + 1]
        while index < stop {
            let key = keyBytes + keyOffsets[index]
            var k = 0
            while k < count && key[k] == p[k] { k += 1 }
            if k == count { return index }
            index += 1
        }
        return nil
    }
}
