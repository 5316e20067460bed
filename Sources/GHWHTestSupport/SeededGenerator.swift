import GHWHRandom

/// SplitMix64 (GHWHRandom's, the project's one copy) for tests: a fixed seed makes random
/// tests repeatable, and a failure names its seed.
public typealias SeededGenerator = SplitMix64

extension SplitMix64 {
    /// A generator seeded directly with `seed` (the stream tests have always used).
    public init(seed: UInt64) { self.init(state: seed) }

    /// A number in 0..<n.
    public mutating func next(upTo n: Int) -> Int { below(n) }
}
