import Foundation
import GHWHRandom

// The generator itself is GHWHRandom's SplitMix64. Every piece of generated content draws from
// a generator seeded by a hash of (seed, repo, number, purpose), so a record's bytes never
// depend on the order in which records are produced: that is what makes runs byte-identical.
extension SplitMix64 {
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
    case users = 1
    case repo, repoKinds, plan, content, body, version, layout, pullRequest, labelName
}

@inline(__always) private func _exp(_ x: Double) -> Double { exp(x) }
@inline(__always) private func _log(_ x: Double) -> Double { log(x) }
