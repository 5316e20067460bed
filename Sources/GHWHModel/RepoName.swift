import Foundation

/// Derives `owner/repo` (lower-cased) from the URLs GitHub puts in its objects
/// (docs/contract.md#repository-names).
public enum RepoName {
    /// From `https://api.github.com/repos/{owner}/{repo}` (repository_url) or any
    /// API URL under it (`.../repos/{o}/{r}/issues/1`, `.../repos/{o}/{r}/pulls/1`).
    public static func fromAPIURL(_ url: String) -> String? {
        guard let range = url.range(of: "/repos/") else { return nil }
        return ownerAndRepo(in: url[range.upperBound...])
    }

    /// From `https://github.com/{owner}/{repo}/issues/1` (html_url).
    public static func fromHTMLURL(_ url: String) -> String? {
        guard let schemeEnd = url.range(of: "://") else { return nil }
        let afterScheme = url[schemeEnd.upperBound...]
        guard let slash = afterScheme.firstIndex(of: "/") else { return nil }
        return ownerAndRepo(in: afterScheme[afterScheme.index(after: slash)...])
    }

    /// From a `full_name` such as `Owner/Repo`.
    public static func fromFullName(_ name: String) -> String? {
        ownerAndRepo(in: Substring(name), requireWhole: true)
    }

    /// `url` may be an API URL or (rarely) an HTML one; try both.
    public static func fromAnyURL(_ url: String) -> String? {
        fromAPIURL(url) ?? fromHTMLURL(url)
    }

    private static func ownerAndRepo(in path: Substring, requireWhole: Bool = false) -> String? {
        let parts = path.split(separator: "/", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2 else { return nil }
        if requireWhole && parts.count > 2 { return nil }
        let owner = parts[0]
        let repo = parts[1].prefix { $0 != "?" && $0 != "#" }
        guard isName(owner), isName(repo) else { return nil }
        return "\(owner)/\(repo)".lowercased()
    }

    /// Lenient on purpose: any non-empty segment without whitespace or control
    /// characters (recorded fixtures carry placeholders such as `<GITHUB_LOGIN>`).
    private static func isName(_ s: Substring) -> Bool {
        !s.isEmpty && s.utf8.allSatisfy { $0 > 0x20 && $0 != 0x7F }
    }
}
