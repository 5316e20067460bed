/// PostgreSQL array literals (`{"a","b",NULL}`) for passing many values as one
/// text-format parameter (`$1::text[]`), so a batch of rows costs one statement
/// (every element is quoted and escaped, so any name is safe).
public enum PGArrayLiteral {
    /// Every element is double-quoted with `"` and `\` escaped; nil becomes NULL.
    public static func text<S: Sequence>(_ values: S) -> String where S.Element == String? {
        var out = "{"
        var first = true
        for value in values {
            if !first { out += "," }
            first = false
            guard let value else {
                out += "NULL"
                continue
            }
            out += "\""
            for ch in value.unicodeScalars {
                if ch == "\"" || ch == "\\" { out += "\\" }
                out.unicodeScalars.append(ch)
            }
            out += "\""
        }
        return out + "}"
    }

    public static func text<S: Sequence>(_ values: S) -> String where S.Element == String {
        text(values.lazy.map { Optional($0) })
    }

    public static func integers<S: Sequence>(_ values: S) -> String where S.Element: BinaryInteger {
        "{" + values.map { String($0) }.joined(separator: ",") + "}"
    }
}
