import GHWHRandom

/// GitHub's legacy global node ids: base64 of `"<len>:<Type><id>"`, e.g. `MDQ6VXNlcjEyMw==`.
enum NodeID {
    static func make(_ prefix: String, _ id: Int) -> String {
        base64(Array("\(prefix)\(id)".utf8))
    }

    private static let alphabet: [UInt8] = Array(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func base64(_ input: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((input.count + 2) / 3 * 4)
        var i = 0
        while i < input.count {
            let b0 = Int(input[i])
            let b1 = i + 1 < input.count ? Int(input[i + 1]) : 0
            let b2 = i + 2 < input.count ? Int(input[i + 2]) : 0
            out.append(alphabet[b0 >> 2])
            out.append(alphabet[((b0 & 3) << 4) | (b1 >> 4)])
            out.append(i + 1 < input.count ? alphabet[((b1 & 15) << 2) | (b2 >> 6)] : 0x3D)
            out.append(i + 2 < input.count ? alphabet[b2 & 63] : 0x3D)
            i += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// 40 lower-case hex digits, like a git commit sha.
    static func sha(_ rng: inout SplitMix64) -> String {
        let hex: [UInt8] = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(40)
        for _ in 0..<3 {
            var v = rng.next()
            for _ in 0..<16 where out.count < 40 {
                out.append(hex[Int(v & 15)])
                v >>= 4
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
