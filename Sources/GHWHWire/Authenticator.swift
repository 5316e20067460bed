import Crypto

/// The shared cluster secret that keys every frame's HMAC-SHA256.
///
/// Every process of one cluster (coordinator, workers, loader, submit) must hold the
/// same secret; a frame sealed with another secret fails with `.authenticationFailed`.
public struct ClusterSecret: Sendable {
    /// Shortest secret accepted, in UTF-8 bytes.
    public static let minimumBytes = 16

    /// Key bytes (SymmetricKey is not Sendable; one is built per MAC, which is cheap).
    let keyBytes: [UInt8]
    var key: SymmetricKey { SymmetricKey(data: keyBytes) }
    /// True only for `.insecure`.
    public let isInsecure: Bool

    /// Refuses an empty secret or one shorter than `minimumBytes` UTF-8 bytes.
    public init(_ secret: String) throws(WireError) {
        let bytes = Array(secret.utf8)
        guard bytes.count >= Self.minimumBytes else {
            throw WireError.malformed(
                "cluster secret is \(bytes.count) bytes; at least \(Self.minimumBytes) are required")
        }
        keyBytes = bytes
        isInsecure = false
    }

    private init(insecureKey: [UInt8]) {
        keyBytes = insecureKey
        isInsecure = true
    }

    /// Explicit opt-out for a trusted single host or tests: the MAC is still computed and
    /// checked, but with an empty key, so it only detects corruption, not forgery.
    /// Anyone who can reach the socket can send frames the cluster accepts.
    public static let insecure = ClusterSecret(insecureKey: [])
}

/// HMAC-SHA256 over frame bytes, fed piecewise, and its constant-time check.
enum Authenticator {
    static let macBytes = 32

    /// An HMAC to feed piecewise (`finish` or `check` it).
    static func start(_ secret: ClusterSecret) -> HMAC<SHA256> { HMAC<SHA256>(key: secret.key) }

    static func finish(_ hmac: HMAC<SHA256>, into out: UnsafeMutableRawBufferPointer) {
        hmac.finalize().withUnsafeBytes { out.copyMemory(from: $0) }
    }

    static func check(_ hmac: HMAC<SHA256>, against expected: UnsafeRawBufferPointer) -> Bool {
        hmac.finalize().withUnsafeBytes { constantTimeEqual($0, expected) }
    }

    static func constantTimeEqual(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        guard a.count == b.count else { return false }
        var diff: UInt8 = 0
        for i in 0..<a.count { diff |= a[i] ^ b[i] }
        return diff == 0
    }
}
