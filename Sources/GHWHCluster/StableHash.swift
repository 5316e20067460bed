/// FNV-1a 64: a hash that is the same in every process and on every platform
/// (Swift's Hasher is seeded per process), for ids and buckets that must
/// survive restarts.
enum StableHash {
    static func fnv1a64(_ parts: [String]) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for (i, part) in parts.enumerated() {
            if i > 0 { h = (h ^ 0xFF) &* 0x100_0000_01b3 }  // separator: 0xFF never occurs in UTF-8
            for b in part.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        }
        return h
    }
}
