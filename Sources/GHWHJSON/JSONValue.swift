/// A materialised JSON value: only the parts of a record a transform asked for
/// (see `JSONSelection`) are ever built as `JSONValue`s; the rest is validated
/// and skipped by the scanner without allocating.
public enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    /// A number written as a JSON integer (no fraction, no exponent) that fits in Int64.
    case int(Int64)
    /// Any other number (fraction, exponent, or an integer outside Int64).
    case double(Double)
    case string(String)
    case array([JSONValue])
    /// Duplicate keys: the last one wins.
    case object([String: JSONValue])

    public subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    public var kindName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .int, .double: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }
}

/// Which members of an object to materialise. `.all` keeps a value whole;
/// `.fields` keeps only the named members of an object (with their own
/// selections) and is applied to every element when the value is an array.
/// A value that is not an object or array is kept whole whatever the selection.
public indirect enum JSONSelection: Sendable {
    case all
    case fields([String: JSONSelection])
}
