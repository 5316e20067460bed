/// PostgreSQL array literals (`{"a","b",NULL}`) for passing many values as one
/// text-format parameter (`$1::text[]`), so a batch of rows costs one statement
/// (every element is quoted and escaped, so any name is safe).
public enum PGArrayLiteral {
    /// Every element is double-quoted with `"` and `\` escaped; nil becomes NULL.
    public static func text<S: Sequence>(_ values: S) -> String where S.Element == String? {
        // Built as UTF-8 bytes: a batch's arrays hold tens of thousands of paths.
        var out: [UInt8] = [UInt8(ascii: "{")]
        out.reserveCapacity(values.underestimatedCount * 48 + 2)
        var first = true
        for value in values {
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            guard let value else {
                out += "NULL".utf8
                continue
            }
            out.append(UInt8(ascii: "\""))
            for byte in value.utf8 {
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { out.append(UInt8(ascii: "\\")) }
                out.append(byte)
            }
            out.append(UInt8(ascii: "\""))
        }
        out.append(UInt8(ascii: "}"))
        return String(decoding: out, as: UTF8.self)
    }

    public static func text<S: Sequence>(_ values: S) -> String where S.Element == String {
        text(values.lazy.map { Optional($0) })
    }

    public static func integers<S: Sequence>(_ values: S) -> String where S.Element: BinaryInteger {
        "{" + values.map { String($0) }.joined(separator: ",") + "}"
    }
}
