/// A tiny deterministic pseudo-random generator (SplitMix64, Steele, Lea and Flood 2014).
///
/// The project's one copy (issue 14): the sample generator derives every stream from a hash of
/// keys (`init(_ keys:)`), so a record's bytes never depend on the order in which records are
/// produced; tests and fuzz targets seed it directly (`init(state:)`) so a failure names its seed.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public var state: UInt64

    /// A generator whose stream starts after `state` (the plain SplitMix64 seeding).
    @inlinable
    public init(state: UInt64) { self.state = state }

    /// A generator for one purpose, derived from several keys.
    @inlinable
    public init(_ keys: UInt64...) {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15
        for k in keys { h = SplitMix64.mix(h ^ SplitMix64.mix(k &+ 0x632B_E59B_D9B4_E019)) }
        state = h
    }

    @inlinable
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return SplitMix64.mix(state)
    }

    /// The SplitMix64 output function (a 64-bit finalizer).
    @inlinable
    public static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in `0..<bound` (bound > 0); the tiny modulo bias is irrelevant here.
    @inlinable
    public mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
}
