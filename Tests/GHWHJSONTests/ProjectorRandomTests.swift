import GHWHJSON
import GHWHRandom
import GHWHTestSupport
import Testing

/// Random JSON values, serialised with random whitespace and escapes, must come back equal;
/// random selections must equal the same selection applied to the whole value.
@Suite("JSONProjector: randomized round trip")
struct ProjectorRandomTests {
    struct Generator {
        var rng: SeededGenerator

        mutating func value(depth: Int) -> JSONValue {
            let pick = Int.random(in: 0..<(depth > 4 ? 6 : 9), using: &rng)
            switch pick {
            case 0: return .null
            case 1: return .bool(Bool.random(using: &rng))
            case 2:
                let choices: [Int64] = [
                    0, 1, -1, .max, .min, Int64.random(in: -1000...1000, using: &rng),
                    Int64.random(in: .min ... .max, using: &rng),
                ]
                return .int(choices.randomElement(using: &rng)!)
            case 3:
                let choices: [Double] = [
                    0.5, -2.25, 1e300, 5e-324, 3.0, 1e22,
                    Double.random(in: -1e6...1e6, using: &rng),
                    Double(bitPattern: UInt64.random(in: 0..<0x7FF0_0000_0000_0000, using: &rng)),
                ]
                return .double(choices.randomElement(using: &rng)!)
            case 4, 5: return .string(string())
            case 6: return .array((0..<Int.random(in: 0...5, using: &rng)).map { _ in value(depth: depth + 1) })
            default:
                var members: [String: JSONValue] = [:]
                for _ in 0..<Int.random(in: 0...6, using: &rng) { members[key()] = value(depth: depth + 1) }
                return .object(members)
            }
        }

        mutating func key() -> String {
            ["id", "a", "b", "name", "n\u{E9}", "x\"y", "", "long_key_name", "k\u{1F600}"].randomElement(using: &rng)!
        }

        mutating func string() -> String {
            let pool: [Unicode.Scalar] = [
                "a", "b", " ", "\"", "\\", "/", "\n", "\t", "\u{0}", "\u{1F}", "\u{7F}", "\u{E9}",
                "\u{6771}", "\u{FFFF}", "\u{1F600}", "\u{10FFFF}", "]", "}", ",",
            ]
            var s = String.UnicodeScalarView()
            let length = Int.random(in: 0...(Bool.random(using: &rng) ? 6 : 40), using: &rng)
            for _ in 0..<length { s.append(pool.randomElement(using: &rng)!) }
            return String(s)
        }

        mutating func whitespace() -> String {
            Bool.random(using: &rng)
                ? ""
                : String(
                    (0..<Int.random(in: 1...3, using: &rng)).map { _ in
                        [" ", "\n", "\t", "\r"].randomElement(using: &rng)!
                    })
        }

        mutating func serialize(_ value: JSONValue) -> String {
            switch value {
            case .null: return "null"
            case .bool(let b): return b ? "true" : "false"
            case .int(let n): return String(n)
            case .double(let d): return "\(d)"
            case .string(let s): return quote(s)
            case .array(let elements):
                return "[" + whitespace()
                    + elements.map { serialize($0) }.joined(separator: whitespace() + "," + whitespace()) + whitespace()
                    + "]"
            case .object, .projected:
                let parts = value.objectMembers!.map { key, value in
                    quote(key) + whitespace() + ":" + whitespace() + serialize(value)
                }
                return "{" + whitespace() + parts.joined(separator: whitespace() + "," + whitespace()) + whitespace()
                    + "}"
            }
        }

        mutating func quote(_ s: String) -> String {
            var out = "\""
            for scalar in s.unicodeScalars {
                let mustEscape = scalar == "\"" || scalar == "\\" || scalar.value < 0x20
                if mustEscape || Int.random(in: 0..<4, using: &rng) == 0 {
                    out += escape(scalar)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
            return out + "\""
        }

        mutating func escape(_ scalar: Unicode.Scalar) -> String {
            let short: [Unicode.Scalar: String] = [
                "\"": "\\\"", "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r",
                "\u{8}": "\\b", "\u{C}": "\\f", "/": "\\/",
            ]
            if let s = short[scalar], Bool.random(using: &rng) { return s }
            func hex(_ v: UInt32) -> String {
                let digits = String(v, radix: 16, uppercase: Bool.random(using: &rng))
                return "\\u" + String(repeating: "0", count: 4 - digits.count) + digits
            }
            if scalar.value < 0x10000 { return hex(scalar.value) }
            let v = scalar.value - 0x10000
            return hex(0xD800 + (v >> 10)) + hex(0xDC00 + (v & 0x3FF))
        }

        mutating func selection(for value: JSONValue, depth: Int = 0) -> [String: JSONSelection] {
            var result: [String: JSONSelection] = [:]
            for _ in 0..<Int.random(in: 0...4, using: &rng) {
                result[key()] =
                    depth < 3 && Bool.random(using: &rng) ? .fields(selection(for: value, depth: depth + 1)) : .all
            }
            return result
        }
    }

    /// The reference semantics of a selection, applied to a fully parsed value.
    static func apply(_ selection: [String: JSONSelection], to value: JSONValue) -> JSONValue {
        switch value {
        case .object(let members):
            var kept: [String: JSONValue] = [:]
            for (key, sub) in selection {
                guard let member = members[key] else { continue }
                switch sub {
                case .all: kept[key] = member
                case .fields(let nested): kept[key] = apply(nested, to: member)
                }
            }
            return .object(kept)
        case .array(let elements):
            return .array(elements.map { apply(selection, to: $0) })
        default:
            return value
        }
    }

    @Test(arguments: [1, 2, 3, 4] as [UInt64])
    func roundTrip(seed: UInt64) throws {
        var generator = Generator(rng: SeededGenerator(seed: seed))
        for iteration in 0..<500 {
            let value = generator.value(depth: 0)
            let text = generator.whitespace() + generator.serialize(value) + generator.whitespace()
            let parsed = try parse(text)
            #expect(parsed == value, "seed \(seed) #\(iteration): \(text)")
            if case .object(let members) = value {
                // Selecting every key with `.all` gives the whole object back.
                let everything = Dictionary(uniqueKeysWithValues: members.keys.map { ($0, JSONSelection.all) })
                #expect(try project(text, everything) == value, "seed \(seed) #\(iteration)")
            }
            let selection = generator.selection(for: value)
            let expected = if case .object = value { Self.apply(selection, to: value) } else { value }
            #expect(try project(text, selection) == expected, "seed \(seed) #\(iteration): \(text) \(selection)")
        }
    }

    @Test func randomCorruptionNeverCrashes() throws {
        var generator = Generator(rng: SeededGenerator(seed: 99))
        var rejected = 0
        for _ in 0..<2000 {
            var bytes = Array(generator.serialize(generator.value(depth: 0)).utf8)
            guard !bytes.isEmpty else { continue }
            for _ in 0..<Int.random(in: 1...3, using: &generator.rng) {
                let at = Int.random(in: 0..<bytes.count, using: &generator.rng)
                switch Int.random(in: 0..<3, using: &generator.rng) {
                case 0: bytes[at] = UInt8.random(in: 0...255, using: &generator.rng)
                case 1: bytes.remove(at: at)
                default: bytes.insert(UInt8.random(in: 0...255, using: &generator.rng), at: at)
                }
                if bytes.isEmpty { break }
            }
            if syntaxError(bytes) != nil { rejected += 1 }
            _ = try? JSONProjector(["a": .fields(["b": .all]), "id": .all]).project(bytes)
        }
        #expect(rejected > 1000)  // most corruptions are caught
    }
}
