/// Why a record was quarantined to `ghwh_meta.rejects` (docs/contract.md#rejects).
public enum RecordRejectReason: Error, Equatable, Sendable, CustomStringConvertible {
    /// The record is not valid JSON (or not valid UTF-8, or nested too deep).
    case invalidJSON(offset: Int, reason: String)
    /// The record is valid JSON but not an object.
    case notAnObject(kind: String)
    case missingNumber
    /// `number` present but not a JSON integer (`12.5`, `"12"`, `true`).
    case invalidNumber(kind: String)
    case missingCreatedAt
    case invalidTimestamp(field: String, value: String)
    case noRepository
    /// A projected field holds the wrong JSON type.
    case wrongType(field: String, expected: String, found: String)
    /// A JSON Lines line longer than the record size limit (it is not parsed).
    case tooLarge(bytes: Int, limit: Int)

    public var description: String {
        switch self {
        case .invalidJSON(let offset, let reason): return "invalid JSON at byte \(offset) of the record: \(reason)"
        case .notAnObject(let kind): return "record is a JSON \(kind), not an object"
        case .missingNumber: return "`number` is missing or null"
        case .invalidNumber(let kind): return "`number` is a JSON \(kind), not an integer"
        case .missingCreatedAt: return "`created_at` is missing or null"
        case .invalidTimestamp(let field, let value):
            return "`\(field)` is not an ISO-8601 timestamp: \(value.prefix(60))"
        case .noRepository: return "no repository can be derived (repository_url, base.repo.full_name, url, html_url)"
        case .wrongType(let field, let expected, let found):
            return "`\(field)` is a JSON \(found), expected \(expected)"
        case .tooLarge(let bytes, let limit):
            return "record is \(bytes) bytes, over the limit of \(limit) bytes per record"
        }
    }

    /// A short stable code, handy for grouping rejects in SQL.
    public var code: String {
        switch self {
        case .invalidJSON: return "invalid_json"
        case .notAnObject: return "not_an_object"
        case .missingNumber: return "missing_number"
        case .invalidNumber: return "invalid_number"
        case .missingCreatedAt: return "missing_created_at"
        case .invalidTimestamp: return "invalid_timestamp"
        case .noRepository: return "no_repository"
        case .wrongType: return "wrong_type"
        case .tooLarge: return "too_large"
        }
    }
}
