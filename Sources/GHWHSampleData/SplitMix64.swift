import Foundation

/// A tiny deterministic pseudo-random generator (SplitMix64).
///
/// Every piece of generated content draws from a generator seeded by a hash of
/// (seed, repo, number, purpose), so a record's bytes never depend on the order
/// in which records are produced: that is what makes runs byte-identical.
public struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    /// A generator for one purpose, derived from several keys.
    public init(_ keys: UInt64...) {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15
        for k in keys { h = SplitMix64.mix(h ^ SplitMix64.mix(k &+ 0x632B_E59B_D9B4_E019)) }
        state = h
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return SplitMix64.mix(state)
    }

    static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in `0..<bound` (bound > 0); the tiny modulo bias is irrelevant here.
    public mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }

    /// Uniform in the closed range.
    mutating func between(_ low: Int, _ high: Int) -> Int { low + below(high - low + 1) }

    /// True with the given probability.
    mutating func chance(_ probability: Double) -> Bool {
        Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0) < probability
    }

    /// One element of a non-empty array.
    mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }

    /// A value skewed towards small numbers (roughly log-uniform in 1...max).
    mutating func skewed(max: Int) -> Int {
        let u = Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
        return Swift.max(1, Int(_exp(u * _log(Double(max)))))
    }
}

/// Purposes used as the last key of `SplitMix64(...)`, so streams never collide.
enum RandomPurpose: UInt64 {
    case users = 1, repo, repoKinds, plan, content, body, version, layout, pullRequest, labelName
}

@inline(__always) private func _exp(_ x: Double) -> Double { exp(x) }
@inline(__always) private func _log(_ x: Double) -> Double { log(x) }
