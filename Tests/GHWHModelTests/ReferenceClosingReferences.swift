import Foundation

/// An independent, slow implementation of docs/contract.md#closing-references on ICU regular
/// expressions, used only to cross-check `ClosingReferences`. Case-insensitivity is spelled out as
/// character classes because ICU's `(?i)` also folds non-ASCII letters (U+017F matches `s`, U+212A `k`).
enum ReferenceClosingReferences {
    private static let keyword =
        "(?:[Cc][Ll][Oo][Ss][Ee](?:[Ss]|[Dd])?|[Ff][Ii][Xx](?:[Ee][Ss]|[Ee][Dd])?|[Rr][Ee][Ss][Oo][Ll][Vv][Ee](?:[Ss]|[Dd])?)"
    private static let repo = "[A-Za-z0-9-]+/[A-Za-z0-9._-]+"
    private static let url = "[Hh][Tt][Tt][Pp][Ss]://[Gg][Ii][Tt][Hh][Uu][Bb]\\.[Cc][Oo][Mm]/"
    private static let pattern =
        "(?<![A-Za-z0-9_])" + keyword + ":?[ \\t\\n\\r\\f\\x{0B}]+"
        + "(?:#([0-9]+)|(" + repo + ")#([0-9]+)|" + url + "(" + repo + ")/issues/([0-9]+))"
        + "(?![A-Za-z0-9_])"

    private static let expression: NSRegularExpression = {
        do { return try NSRegularExpression(pattern: pattern) } catch { fatalError("bad reference pattern: \(error)") }
    }()

    /// `owner/repo#N` strings, deduplicated in first-seen order, title first.
    static func parse(title: String?, body: String?, ownRepo: String) -> [String] {
        var result: [String] = []
        var seen = Set<String>()
        for text in [title, body].compactMap({ $0 }) {
            let nsText = text as NSString
            for match in expression.matches(in: text, range: NSRange(location: 0, length: nsText.length)) {
                func group(_ index: Int) -> String? {
                    let range = match.range(at: index)
                    return range.location == NSNotFound ? nil : nsText.substring(with: range)
                }
                let repoName: String
                let digits: String
                if let number = group(1) {
                    (repoName, digits) = (ownRepo, number)
                } else if let name = group(2), let number = group(3) {
                    (repoName, digits) = (name.lowercased(), number)
                } else if let name = group(4), let number = group(5) {
                    (repoName, digits) = (name.lowercased(), number)
                } else {
                    continue
                }
                guard let number = Int64(digits), number > 0 else { continue }
                let reference = "\(repoName)#\(number)"
                if seen.insert(reference).inserted { result.append(reference) }
            }
        }
        return result
    }
}
