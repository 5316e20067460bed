/// One of the two datasets, named as its raw folder under `<raw>/github/` and in
/// `ghwh_meta` (`issues`, `pull_requests`); the warehouse maps it to its tables.
public enum Dataset: String, CaseIterable, Sendable, Codable {
    case issues
    case pullRequests = "pull_requests"
}
