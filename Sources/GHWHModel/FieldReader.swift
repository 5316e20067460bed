import GHWHJSON

/// Typed access to the projected members of one record. Missing and `null`
/// read as nil; any other type mismatch throws `.wrongType`, which rejects the
/// record (docs/contract.md#rejects: "a field ghwh reads has the wrong JSON type").
struct FieldReader {
    /// An object (`.object` or `.projected`); its members are read by key.
    private let object: JSONValue
    /// Dotted prefix for error messages, e.g. "milestone.".
    let path: String

    /// Nil when `value` is not an object.
    init?(_ value: JSONValue, path: String = "") {
        switch value {
        case .object, .projected: object = value
        default: return nil
        }
        self.path = path
    }

    func string(_ key: String) throws(RecordRejectReason) -> String? {
        switch object[key] {
        case nil, .null?: return nil
        case .string(let s)?: return s
        case let other?: throw .wrongType(field: path + key, expected: "string", found: other.kindName)
        }
    }

    func int(_ key: String) throws(RecordRejectReason) -> Int64? {
        switch object[key] {
        case nil, .null?: return nil
        case .int(let v)?: return v
        case let other?: throw .wrongType(field: path + key, expected: "integer", found: other.kindName)
        }
    }

    func bool(_ key: String) throws(RecordRejectReason) -> Bool? {
        switch object[key] {
        case nil, .null?: return nil
        case .bool(let v)?: return v
        case let other?: throw .wrongType(field: path + key, expected: "boolean", found: other.kindName)
        }
    }

    func object(_ key: String) throws(RecordRejectReason) -> FieldReader? {
        switch object[key] {
        case nil, .null?: return nil
        case let other?:
            if let nested = FieldReader(other, path: path + key + ".") { return nested }
            throw .wrongType(field: path + key, expected: "object", found: other.kindName)
        }
    }

    func isPresentAndNotNull(_ key: String) -> Bool {
        switch object[key] {
        case nil, .null?: return false
        default: return true
        }
    }

    /// A timestamp field: nil when missing/null, else it must be an accepted ISO-8601 string.
    func timestamp(_ key: String) throws(RecordRejectReason) -> Int64? {
        guard let text = try string(key) else { return nil }
        guard let micros = Timestamp.parseMicroseconds(text) else {
            throw .invalidTimestamp(field: path + key, value: text)
        }
        return micros
    }

    /// `number`: required, a JSON integer.
    func recordNumber() throws(RecordRejectReason) -> Int64 {
        switch object["number"] {
        case nil, .null?: throw .missingNumber
        case .int(let v)?: return v
        case let other?: throw .invalidNumber(kind: other.kindName)
        }
    }

    /// `created_at`: required, an ISO-8601 string.
    func createdAt() throws(RecordRejectReason) -> Int64 {
        switch object["created_at"] {
        case nil, .null?: throw .missingCreatedAt
        case .string(let s)?:
            guard let micros = Timestamp.parseMicroseconds(s) else {
                throw .invalidTimestamp(field: "created_at", value: s)
            }
            return micros
        case let other?: throw .invalidTimestamp(field: "created_at", value: "a JSON \(other.kindName)")
        }
    }

    /// `labels`: an array of label objects (with `name`) or bare strings. A
    /// label object without a name is skipped; names are kept once each, in order.
    func labelNames() throws(RecordRejectReason) -> [String] {
        let elements: [JSONValue]
        switch object["labels"] {
        case nil, .null?: return []
        case .array(let a)?: elements = a
        case let other?: throw .wrongType(field: path + "labels", expected: "array", found: other.kindName)
        }
        var names: [String] = []
        names.reserveCapacity(elements.count)
        for element in elements {
            let name: String?
            switch element {
            case .string(let s): name = s
            case .object, .projected: name = try FieldReader(element, path: path + "labels[].")?.string("name")
            case .null: name = nil
            default: throw .wrongType(field: path + "labels[]", expected: "object or string", found: element.kindName)
            }
            if let name, !names.contains(name) { names.append(name) }
        }
        return names
    }

    /// `milestone.number` and `milestone.title`.
    func milestone() throws(RecordRejectReason) -> (number: Int64?, title: String?) {
        guard let m = try object("milestone") else { return (nil, nil) }
        return (try m.int("number"), try m.string("title"))
    }
}
