/// A tiny JSON tree that keeps object keys in insertion order
/// (JSONSerialization reorders keys, and the report's key order is part of its contract).
enum JSONValue {
    case null
    case int(Int)
    /// Non-finite doubles are written as `null`.
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    /// `.double` or `.null` for a missing value.
    static func number(_ value: Double?) -> JSONValue { value.map(JSONValue.double) ?? .null }
}

/// Pretty-prints a `JSONValue` with two-space indentation.
enum JSONWriter {
    static func write(_ value: JSONValue) -> String {
        var out = ""
        write(value, indent: 0, into: &out)
        return out
    }

    private static func write(_ value: JSONValue, indent: Int, into out: inout String) {
        switch value {
        case .null: out += "null"
        case .int(let n): out += String(n)
        case .double(let d): out += NumberFormat.plain(d) ?? "null"
        case .string(let s): writeString(s, into: &out)
        case .array(let items):
            guard !items.isEmpty else {
                out += "[]"
                return
            }
            out += "[\n"
            for (i, item) in items.enumerated() {
                out += spaces(indent + 1)
                write(item, indent: indent + 1, into: &out)
                out += i + 1 < items.count ? ",\n" : "\n"
            }
            out += spaces(indent) + "]"
        case .object(let members):
            guard !members.isEmpty else {
                out += "{}"
                return
            }
            out += "{\n"
            for (i, (key, member)) in members.enumerated() {
                out += spaces(indent + 1)
                writeString(key, into: &out)
                out += ": "
                write(member, indent: indent + 1, into: &out)
                out += i + 1 < members.count ? ",\n" : "\n"
            }
            out += spaces(indent) + "}"
        }
    }

    private static func spaces(_ level: Int) -> String { String(repeating: "  ", count: level) }

    /// RFC 8259 string escaping. Non-ASCII (including non-BMP scalars such as emoji) is written as
    /// raw UTF-8, which is valid JSON; U+2028/U+2029 are escaped so the output is also valid JavaScript.
    static func writeString(_ s: String, into out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case "\u{2028}", "\u{2029}":
                out += "\\u" + hex4(scalar.value)
            case _ where scalar.value < 0x20:
                out += "\\u" + hex4(scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }

    private static func hex4(_ v: UInt32) -> String {
        let h = String(v, radix: 16)
        return String(repeating: "0", count: 4 - h.count) + h
    }
}
