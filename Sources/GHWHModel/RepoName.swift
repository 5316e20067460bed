import Foundation

/// Derives `owner/repo` (lower-cased) from the URLs GitHub puts in its objects
/// (docs/contract.md#repository-names).
///
/// Every record goes through here, so an ASCII input (all of GitHub's URLs) is
/// read as bytes. Anything else takes the `String` path (`CharacterRules`), whose
/// character and case semantics the byte path reproduces exactly on ASCII.
public enum RepoName {
    /// From `https://api.github.com/repos/{owner}/{repo}` (repository_url) or any
    /// API URL under it (`.../repos/{o}/{r}/issues/1`, `.../repos/{o}/{r}/pulls/1`).
    public static func fromAPIURL(_ url: String) -> String? {
        ascii(url, ByteRules.fromAPIURL) ?? CharacterRules.fromAPIURL(url)
    }

    /// From `https://github.com/{owner}/{repo}/issues/1` (html_url).
    public static func fromHTMLURL(_ url: String) -> String? {
        ascii(url, ByteRules.fromHTMLURL) ?? CharacterRules.fromHTMLURL(url)
    }

    /// From a `full_name` such as `Owner/Repo`.
    public static func fromFullName(_ name: String) -> String? {
        ascii(name) { ByteRules.ownerAndRepo(in: $0[...], requireWhole: true) } ?? CharacterRules.fromFullName(name)
    }

    /// `url` may be an API URL or (rarely) an HTML one; try both.
    public static func fromAnyURL(_ url: String) -> String? {
        fromAPIURL(url) ?? fromHTMLURL(url)
    }

    /// `.some(answer)` from `body` over the bytes of an ASCII string; nil (take the String
    /// path) for any other string.
    private static func ascii(
        _ s: String, _ body: (UnsafeBufferPointer<UInt8>) -> String?
    ) -> String?? {
        s.utf8.withContiguousStorageIfAvailable { bytes -> String?? in
            bytes.allSatisfy { $0 < 0x80 } ? .some(body(bytes)) : nil
        } ?? nil
    }

    /// The same rules over the bytes of an ASCII string (where a character is a byte).
    enum ByteRules {
        typealias Bytes = Slice<UnsafeBufferPointer<UInt8>>

        static func fromAPIURL(_ url: UnsafeBufferPointer<UInt8>) -> String? {
            guard let after = end(of: "/repos/", in: url[...]) else { return nil }
            return ownerAndRepo(in: url[after...], requireWhole: false)
        }

        static func fromHTMLURL(_ url: UnsafeBufferPointer<UInt8>) -> String? {
            guard let afterScheme = end(of: "://", in: url[...]),
                let slash = url[afterScheme...].firstIndex(of: UInt8(ascii: "/"))
            else { return nil }
            return ownerAndRepo(in: url[(slash + 1)...], requireWhole: false)
        }

        /// `owner/repo[/...]`: at most three `/`-separated parts, empty ones kept.
        static func ownerAndRepo(in path: Bytes, requireWhole: Bool) -> String? {
            guard let firstSlash = path.firstIndex(of: UInt8(ascii: "/")) else { return nil }
            let owner = path[..<firstSlash]
            let rest = path[(firstSlash + 1)...]
            let secondSlash = rest.firstIndex(of: UInt8(ascii: "/"))
            if requireWhole && secondSlash != nil { return nil }
            let repoPart = rest[..<(secondSlash ?? rest.endIndex)]
            let repo = repoPart.prefix { $0 != UInt8(ascii: "?") && $0 != UInt8(ascii: "#") }
            guard isName(owner), isName(repo) else { return nil }
            return String(unsafeUninitializedCapacity: owner.count + 1 + repo.count) { out in
                var k = 0
                func append(_ byte: UInt8) {
                    out[k] = byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte  // ASCII lower case
                    k += 1
                }
                owner.forEach(append)
                append(UInt8(ascii: "/"))
                repo.forEach(append)
                return k
            }
        }

        /// Index just past the first occurrence of `needle` in `haystack`.
        static func end(of needle: StaticString, in haystack: Bytes) -> Int? {
            let n = needle.utf8CodeUnitCount
            let p = needle.utf8Start
            var start = haystack.startIndex
            while start + n <= haystack.endIndex {
                var k = 0
                while k < n && haystack[start + k] == p[k] { k += 1 }
                if k == n { return start + n }
                start += 1
            }
            return nil
        }

        static func isName(_ s: Bytes) -> Bool { !s.isEmpty && s.allSatisfy { $0 > 0x20 && $0 != 0x7F } }
    }

    /// The rules over Characters, for strings that are not ASCII.
    enum CharacterRules {
        static func fromAPIURL(_ url: String) -> String? {
            guard let range = url.range(of: "/repos/") else { return nil }
            return ownerAndRepo(in: url[range.upperBound...])
        }

        static func fromHTMLURL(_ url: String) -> String? {
            guard let schemeEnd = url.range(of: "://") else { return nil }
            let afterScheme = url[schemeEnd.upperBound...]
            guard let slash = afterScheme.firstIndex(of: "/") else { return nil }
            return ownerAndRepo(in: afterScheme[afterScheme.index(after: slash)...])
        }

        static func fromFullName(_ name: String) -> String? {
            ownerAndRepo(in: Substring(name), requireWhole: true)
        }

        static func ownerAndRepo(in path: Substring, requireWhole: Bool = false) -> String? {
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
        static func isName(_ s: Substring) -> Bool {
            !s.isEmpty && s.utf8.allSatisfy { $0 > 0x20 && $0 != 0x7F }
        }
    }
}
