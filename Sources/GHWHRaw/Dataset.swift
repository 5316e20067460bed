/// A raw dataset: the folder name under `<raw>/github/`.
public enum Dataset: String, CaseIterable, Sendable, Codable {
    case issues
    case pullRequests = "pull_requests"
}
