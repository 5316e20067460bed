/// An issue that a pull request closes, as named by a closing reference (docs/contract.md#closing-references).
public struct IssueReference: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// `owner/repo` of the referenced issue, lower-cased.
    public let repoName: String
    /// The issue number; always greater than zero when produced by `ClosingReferences`.
    public let number: Int64

    /// Makes a reference; `repoName` should already be lower-cased `owner/repo`.
    public init(repoName: String, number: Int64) {
        self.repoName = repoName
        self.number = number
    }

    /// `owner/repo#N`.
    public var description: String { "\(repoName)#\(number)" }

    /// Orders by repo name, then number.
    public static func < (lhs: IssueReference, rhs: IssueReference) -> Bool {
        if lhs.repoName != rhs.repoName { return lhs.repoName < rhs.repoName }
        return lhs.number < rhs.number
    }
}

/// Finds GitHub closing references ("Fixes #12", "closes org/repo#3",
/// "Resolves: https://github.com/org/repo/issues/7") in a pull request's title and body.
///
/// The rule (docs/contract.md#closing-references), made precise:
/// - keyword `close|closes|closed|fix|fixes|fixed|resolve|resolves|resolved`, any ASCII case,
///   not preceded by an ASCII letter, digit or `_` (only ASCII counts as a word character, so
///   `-fixes #4` and `éfixes #4` link, `1fixes #4` and `unfixes #4` don't);
/// - an optional `:` directly after the keyword, then one or more ASCII whitespace bytes
///   (space, `\t`, `\n`, `\v`, `\f`, `\r`); `fixes:#1` and `fixes\u{A0}#1` don't link;
/// - then `#N` (the PR's own repo), `owner/repo#N`, or `https://github.com/owner/repo/issues/N`
///   (the `https://github.com/` prefix in any ASCII case; `http://` and `/pull/N` don't count);
/// - owner is one or more of `[A-Za-z0-9-]`, repo one or more of `[A-Za-z0-9._-]`, both
///   lower-cased; no further GitHub naming rules (length, leading hyphen) are enforced;
/// - N is decimal digits (leading zeros allowed) whose value is in 1...Int64.max, and is not
///   followed by an ASCII letter, digit or `_` (`#12.`, `#12)`, `#12é` link; `#12abc` doesn't);
/// - each reference needs its own keyword; a matched reference is consumed whole, and scanning
///   resumes right after it.
///
/// Works on UTF-8 bytes without a regex engine: one pass, linear in the text length.
public enum ClosingReferences {
    /// References in title and body (each scanned separately), deduplicated, in order of first
    /// appearance (title first). `ownRepo` is the PR's own repo (already lower-cased), used for `#N`.
    public static func parse(title: String?, body: String?, ownRepo: String) -> [IssueReference] {
        var found = ReferenceCollector()
        if let title { scan(title, ownRepo: ownRepo, into: &found) }
        if let body { scan(body, ownRepo: ownRepo, into: &found) }
        return found.references
    }

    private static func scan(_ text: String, ownRepo: String, into found: inout ReferenceCollector) {
        let scanned: Void? = text.utf8.withContiguousStorageIfAvailable { bytes in
            scan(bytes, ownRepo: ownRepo, into: &found)
        }
        if scanned == nil {
            // Bridged or otherwise non-contiguous strings: copy once.
            Array(text.utf8).withUnsafeBufferPointer { scan($0, ownRepo: ownRepo, into: &found) }
        }
    }

    private static func scan(_ bytes: UnsafeBufferPointer<UInt8>, ownRepo: String, into found: inout ReferenceCollector)
    {
        var index = 0
        while index < bytes.count {
            // Cheap filter: every keyword starts with c, f or r.
            let lower = bytes[index] | 0x20
            if lower == UInt8(ascii: "c") || lower == UInt8(ascii: "f") || lower == UInt8(ascii: "r"),
                index == 0 || !isWordByte(bytes[index - 1]),
                let match = reference(in: bytes, keywordAt: index, ownRepo: ownRepo)
            {
                found.add(match.reference)
                index = match.end
            } else {
                index += 1
            }
        }
    }

    /// A full reference (keyword, separator, target) starting at `start`, and the index after it.
    private static func reference(
        in bytes: UnsafeBufferPointer<UInt8>, keywordAt start: Int, ownRepo: String
    ) -> (reference: IssueReference, end: Int)? {
        guard var index = keywordEnd(in: bytes, at: start) else { return nil }
        if index < bytes.count, bytes[index] == UInt8(ascii: ":") { index += 1 }
        guard index < bytes.count, isSpaceByte(bytes[index]) else { return nil }
        while index < bytes.count, isSpaceByte(bytes[index]) { index += 1 }
        guard index < bytes.count else { return nil }

        if bytes[index] == UInt8(ascii: "#") {
            guard let number = issueNumber(in: bytes, at: index + 1) else { return nil }
            return (IssueReference(repoName: ownRepo, number: number.value), number.end)
        }
        if hasPrefix(bytes, at: index, "https://github.com/", ignoringASCIICase: true) {
            let ownerStart = index + 19
            guard let repoEnd = ownerAndRepoEnd(in: bytes, at: ownerStart),
                hasPrefix(bytes, at: repoEnd, "/issues/", ignoringASCIICase: false),
                let number = issueNumber(in: bytes, at: repoEnd + 8)
            else { return nil }
            let repoName = lowercasedASCII(bytes, from: ownerStart, to: repoEnd)
            return (IssueReference(repoName: repoName, number: number.value), number.end)
        }
        guard let repoEnd = ownerAndRepoEnd(in: bytes, at: index),
            repoEnd < bytes.count, bytes[repoEnd] == UInt8(ascii: "#"),
            let number = issueNumber(in: bytes, at: repoEnd + 1)
        else { return nil }
        let repoName = lowercasedASCII(bytes, from: index, to: repoEnd)
        return (IssueReference(repoName: repoName, number: number.value), number.end)
    }

    /// The index after a closing keyword at `start`, or nil. The suffix is taken greedily, which is
    /// safe because a keyword must be followed by `:` or whitespace, never by a letter.
    private static func keywordEnd(in bytes: UnsafeBufferPointer<UInt8>, at start: Int) -> Int? {
        switch bytes[start] | 0x20 {
        case UInt8(ascii: "c"):
            guard hasPrefix(bytes, at: start, "close", ignoringASCIICase: true) else { return nil }
            return start + 5 + singleSuffixLength(in: bytes, at: start + 5)
        case UInt8(ascii: "r"):
            guard hasPrefix(bytes, at: start, "resolve", ignoringASCIICase: true) else { return nil }
            return start + 7 + singleSuffixLength(in: bytes, at: start + 7)
        case UInt8(ascii: "f"):
            guard hasPrefix(bytes, at: start, "fix", ignoringASCIICase: true) else { return nil }
            let stemEnd = start + 3
            if hasPrefix(bytes, at: stemEnd, "es", ignoringASCIICase: true)
                || hasPrefix(bytes, at: stemEnd, "ed", ignoringASCIICase: true)
            {
                return stemEnd + 2
            }
            return stemEnd
        default:
            return nil
        }
    }

    /// 1 for an `s` or `d` (any case) at `index` ("closes", "resolved"), else 0.
    private static func singleSuffixLength(in bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> Int {
        guard index < bytes.count else { return 0 }
        let lower = bytes[index] | 0x20
        return lower == UInt8(ascii: "s") || lower == UInt8(ascii: "d") ? 1 : 0
    }

    /// Parses `owner/repo` at `start`; returns the index after the repo name, or nil.
    private static func ownerAndRepoEnd(in bytes: UnsafeBufferPointer<UInt8>, at start: Int) -> Int? {
        var index = start
        while index < bytes.count, isOwnerByte(bytes[index]) { index += 1 }
        guard index > start, index < bytes.count, bytes[index] == UInt8(ascii: "/") else { return nil }
        index += 1
        let repoStart = index
        while index < bytes.count, isRepoByte(bytes[index]) { index += 1 }
        return index > repoStart ? index : nil
    }

    /// Decimal issue number at `start`: at least one digit, value in 1...Int64.max,
    /// not followed by an ASCII word byte.
    private static func issueNumber(in bytes: UnsafeBufferPointer<UInt8>, at start: Int) -> (value: Int64, end: Int)? {
        var index = start
        var value: Int64 = 0
        var overflowed = false
        while index < bytes.count, bytes[index] &- UInt8(ascii: "0") < 10 {
            if !overflowed {
                let (times10, o1) = value.multipliedReportingOverflow(by: 10)
                let (sum, o2) = times10.addingReportingOverflow(Int64(bytes[index] &- UInt8(ascii: "0")))
                overflowed = o1 || o2
                value = sum
            }
            index += 1
        }
        guard index > start, !overflowed, value > 0 else { return nil }
        if index < bytes.count, isWordByte(bytes[index]) { return nil }
        return (value, index)
    }

    private static func hasPrefix(
        _ bytes: UnsafeBufferPointer<UInt8>, at start: Int, _ literal: StaticString, ignoringASCIICase: Bool
    ) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard start + count <= bytes.count else { return false }
        let expected = literal.utf8Start
        for offset in 0..<count {
            var actual = bytes[start + offset]
            if ignoringASCIICase, actual &- UInt8(ascii: "A") < 26 { actual |= 0x20 }
            if actual != expected[offset] { return false }
        }
        return true
    }

    private static func lowercasedASCII(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) -> String {
        String(unsafeUninitializedCapacity: end - start) { buffer in
            for offset in 0..<(end - start) {
                let byte = bytes[start + offset]
                buffer[offset] = byte &- UInt8(ascii: "A") < 26 ? byte | 0x20 : byte
            }
            return end - start
        }
    }

    private static func isLetterOrDigit(_ byte: UInt8) -> Bool {
        (byte | 0x20) &- UInt8(ascii: "a") < 26 || byte &- UInt8(ascii: "0") < 10
    }

    /// ASCII letter, digit or underscore: what may not touch a keyword's start or a number's end.
    private static func isWordByte(_ byte: UInt8) -> Bool {
        isLetterOrDigit(byte) || byte == UInt8(ascii: "_")
    }

    /// Space, \t, \n, \v, \f, \r.
    private static func isSpaceByte(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte &- 0x09 < 5
    }

    private static func isOwnerByte(_ byte: UInt8) -> Bool {
        isLetterOrDigit(byte) || byte == UInt8(ascii: "-")
    }

    private static func isRepoByte(_ byte: UInt8) -> Bool {
        isLetterOrDigit(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
    }
}

/// Keeps references in first-seen order, each once.
private struct ReferenceCollector {
    var references: [IssueReference] = []
    private var seen: Set<IssueReference> = []

    mutating func add(_ reference: IssueReference) {
        if seen.insert(reference).inserted { references.append(reference) }
    }
}
