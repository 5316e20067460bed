/// A materialised JSON value: only the parts of a record a transform asked for
/// (see `JSONSelection`) are ever built as `JSONValue`s; the rest is validated
/// and skipped by the scanner without allocating.
///
/// An object has two representations with the same meaning: `.object` (any
/// keys, a dictionary) and `.projected` (the members a field selection kept,
/// in slots). Equality, `subscript(key:)`, `objectMembers` and `kindName` do
/// not tell them apart.
public enum JSONValue: Sendable {
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
    /// An object read with a field selection: the selected members only
    /// (duplicate keys: the last one wins), found without hashing.
    case projected(ProjectedObject)

    public subscript(key: String) -> JSONValue? {
        switch self {
        case .object(let members): return members[key]
        case .projected(let object): return object[key]
        default: return nil
        }
    }

    /// The members of an object, in either representation; nil for any other value.
    public var objectMembers: [String: JSONValue]? {
        switch self {
        case .object(let members): return members
        case .projected(let object): return object.members
        default: return nil
        }
    }

    public var kindName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .int, .double: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object, .projected: return "object"
        }
    }
}

extension JSONValue: Equatable {
    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.int(let x), .int(let y)): return x == y
        case (.double(let x), .double(let y)): return x == y
        case (.string(let x), .string(let y)): return x == y
        case (.array(let x), .array(let y)): return x == y
        case (.object, .object), (.object, .projected), (.projected, .object), (.projected, .projected):
            return a.objectMembers == b.objectMembers
        default: return false
        }
    }
}

/// The members a field selection kept from one object, one slot per selected
/// key (nil: the key was absent). Reading a member compares the key's bytes
/// with the few selected keys of the same length: the projector builds and
/// the transforms read records without hashing a single key.
public struct ProjectedObject: Sendable {
    let selection: CompiledSelection
    var slots: [JSONValue?]

    init(selection: CompiledSelection, slots: [JSONValue?]) {
        self.selection = selection
        self.slots = slots
    }

    public subscript(key: String) -> JSONValue? {
        var key = key
        let index = key.withUTF8 { utf8 -> Int? in
            guard let base = utf8.baseAddress else { return selection.lookupEmpty() }
            return selection.lookup(base, utf8.count)
        }
        guard let index else { return nil }
        return slots[index]
    }

    /// The present members by name.
    public var members: [String: JSONValue] {
        var out: [String: JSONValue] = [:]
        for (member, slot) in zip(selection.members, slots) {
            if let slot { out[member.name] = slot }
        }
        return out
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
