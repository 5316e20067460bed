import Foundation
import GHWHJSON
import GHWHRandom

/// The validating projector against Foundation's `JSONSerialization`, and against itself.
///
/// Input: byte 0 picks the depth limit (bits 0-2) and seeds the selection; the record is the rest.
///
/// Properties: `validate`, `JSONValue.parse` and a projection with a selection agree on
/// valid/invalid; a projection equals the selection applied to the whole value; the whole
/// value equals what Foundation decodes (strings byte for byte, numbers exactly, or to
/// 1e-12 where Foundation goes through `NSDecimalNumber`), and the two agree on
/// valid/invalid except for these deliberate, documented differences, each checked:
/// - nesting beyond the projector's limit (Foundation allows 512): the projector refuses;
/// - a `\u` surrogate escape that is not part of a pair: the projector reads U+FFFD,
///   Foundation refuses (the record is compared with the escape replaced by `\ufffd`);
/// - a number beyond Double's range: the projector reads an infinity, Foundation refuses;
/// - a trailing comma (`[1,]`, `{"a":1,}`): Foundation accepts it, RFC 8259 and the projector do not;
/// - a BOM or a NUL in the first four bytes: Foundation guesses UTF-16/32, records are UTF-8.
enum ProjectorTarget {
    static let target = FuzzTarget.projector

    static func run(_ input: [UInt8]) {
        var cursor = ByteCursor(input)
        let options = cursor.byte()
        let record = cursor.rest()
        let maxDepth = [128, 128, 128, 128, 512, 1, 2, 3 + Int(options >> 3) % 16][Int(options & 7)]

        let full = parse(record, maxDepth: maxDepth)
        let validated: Result<Void, JSONSyntaxError> = record.withUnsafeBytes { raw in
            do throws(JSONSyntaxError) {
                return .success(try JSONProjector([:], maxDepth: maxDepth).validate(raw))
            } catch {
                return .failure(error)
            }
        }
        check(
            isSuccess(validated) == isSuccess(full), target,
            "validate says \(describe(validated)), parse says \(describe(full)) for \(record.hexPrefix())")
        for case .failure(let error) in [full.map { _ in () }, validated] {
            check(
                error.offset >= 0 && error.offset <= record.count, target,
                "error offset \(error.offset) outside the \(record.count)-byte record: \(error)")
        }
        let duplicates = hasCanonicallyEquivalentKeys(record, full)
        checkSelections(record, full: full, maxDepth: maxDepth, seed: options, comparable: !duplicates)
        compareWithFoundation(record, full: full, maxDepth: maxDepth, comparable: !duplicates)
    }

    static func parse(_ record: [UInt8], maxDepth: Int, selection: [String: JSONSelection]? = nil)
        -> Result<JSONValue, JSONSyntaxError>
    {
        record.withUnsafeBytes { raw in
            do throws(JSONSyntaxError) {
                if let selection { return .success(try JSONProjector(selection, maxDepth: maxDepth).project(raw)) }
                return .success(try JSONValue.parse(raw, maxDepth: maxDepth))
            } catch {
                return .failure(error)
            }
        }
    }

    static func isSuccess<T>(_ r: Result<T, JSONSyntaxError>) -> Bool {
        if case .success = r { return true }
        return false
    }

    static func describe<T>(_ r: Result<T, JSONSyntaxError>) -> String {
        switch r {
        case .success(let v): return "ok \(v)"
        case .failure(let e): return "\(e)"
        }
    }

    // MARK: - Selections

    /// A selection made of the record's own keys (nested where the value is an object
    /// or array), near misses and absent names; the projection must be the selection
    /// applied to the whole value.
    static func checkSelections(
        _ record: [UInt8], full: Result<JSONValue, JSONSyntaxError>, maxDepth: Int,
        seed: UInt8, comparable: Bool
    ) {
        var rng = SplitMix(hashing: record, salt: UInt64(seed))
        let base: JSONValue
        if case .success(let value) = full { base = value } else { base = .object(["id": .null]) }
        for _ in 0..<2 {
            let selection = makeSelection(base, &rng, level: 0)
            let projected = parse(record, maxDepth: maxDepth, selection: selection)
            check(
                isSuccess(projected) == isSuccess(full), target,
                "projection with \(selection) says \(describe(projected)), parse says \(describe(full)) for \(record.hexPrefix())"
            )
            guard comparable, case .success(let whole) = full, case .success(let value) = projected else { continue }
            let expected: JSONValue
            if whole.objectMembers != nil { expected = apply(.fields(selection), to: whole) } else { expected = whole }
            check(
                same(value, expected), target,
                "projection with \(selection) gives \(value), the selection applied to the whole value gives \(expected)"
            )
        }
    }

    static func makeSelection(_ value: JSONValue, _ rng: inout SplitMix, level: Int) -> [String: JSONSelection] {
        var keys: [String] = []
        var sample = value
        if case .array(let elements) = value,
            let first = elements.first(where: { $0.objectMembers != nil })
        {
            sample = first
        }
        if let members = sample.objectMembers { keys = Array(members.keys) }
        var selection: [String: JSONSelection] = [:]
        for key in keys where rng.below(3) != 0 {
            let member = sample[key]!
            let nests: Bool
            switch member {
            case .object, .projected, .array: nests = level < 3 && rng.below(2) == 0
            default: nests = false
            }
            selection[key] = nests ? .fields(makeSelection(member, &rng, level: level + 1)) : .all
        }
        // Near misses share a length bucket or a prefix with real keys.
        for _ in 0..<rng.below(3) {
            let base = keys.isEmpty ? "id" : keys[rng.below(keys.count)]
            let variants = [
                base + "x", String(base.dropLast()), "x" + String(base.dropFirst()), "", "\u{E9}", "e\u{301}",
            ]
            selection[variants[rng.below(variants.count)]] = .all
        }
        return selection
    }

    /// The documented meaning of a selection: an object keeps the named members (matched
    /// by their exact bytes) with their own selections; an array applies it to each element.
    static func apply(_ selection: JSONSelection, to value: JSONValue) -> JSONValue {
        guard case .fields(let fields) = selection else { return value }
        switch value {
        case .object, .projected:
            let members = value.objectMembers!
            var byBytes: [[UInt8]: JSONValue] = [:]
            for (key, member) in members { byBytes[Array(key.utf8)] = member }
            var kept: [String: JSONValue] = [:]
            for (name, sub) in fields {
                if let member = byBytes[Array(name.utf8)] { kept[name] = apply(sub, to: member) }
            }
            return .object(kept)
        case .array(let elements):
            return .array(elements.map { apply(selection, to: $0) })
        default:
            return value
        }
    }

    /// Exact equality: strings and keys byte for byte (Swift's `==` on String is canonical
    /// equivalence), doubles by bit pattern.
    static func same(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.int(let x), .int(let y)): return x == y
        case (.double(let x), .double(let y)): return x.bitPattern == y.bitPattern
        case (.string(let x), .string(let y)): return Array(x.utf8) == Array(y.utf8)
        case (.array(let x), .array(let y)): return x.count == y.count && zip(x, y).allSatisfy { same($0, $1) }
        case (.object, .object), (.object, .projected), (.projected, .object), (.projected, .projected):
            let x = a.objectMembers!
            let y = b.objectMembers!
            guard x.count == y.count else { return false }
            var byBytes: [[UInt8]: JSONValue] = [:]
            for (key, value) in y { byBytes[Array(key.utf8)] = value }
            return x.allSatisfy { key, value in byBytes[Array(key.utf8)].map { same(value, $0) } ?? false }
        default: return false
        }
    }

    /// Known limitation, not compared: `JSONValue.object` is a `[String: JSONValue]`, and
    /// Swift Strings compare by canonical equivalence, so two keys that differ in bytes but
    /// not canonically ("\u00e9" and "e\u0301") collapse into one member (so they do in
    /// Foundation's `[String: Any]`), while a selection matches keys by their exact bytes.
    /// Validity is still compared for such records.
    static func hasCanonicallyEquivalentKeys(_ record: [UInt8], _ full: Result<JSONValue, JSONSyntaxError>) -> Bool {
        guard case .success = full else { return false }
        var seen: [String: [UInt8]] = [:]
        var i = 0
        while i < record.count {
            guard record[i] == 0x22 else {
                i += 1
                continue
            }
            let start = i
            i += 1
            while i < record.count && record[i] != 0x22 { i += record[i] == 0x5C ? 2 : 1 }
            i += 1
            var k = i
            while k < record.count && SplitterTarget.isSpace(record[k]) { k += 1 }
            guard k < record.count, record[k] == 0x3A, i <= record.count,
                case .success(.string(let key)) = parse(Array(record[start..<i]), maxDepth: 1)
            else { continue }
            let bytes = Array(key.utf8)
            if let other = seen[key], other != bytes { return true }
            seen[key] = bytes
        }
        return false
    }

    // MARK: - Against Foundation

    static func compareWithFoundation(
        _ record: [UInt8], full: Result<JSONValue, JSONSyntaxError>, maxDepth: Int,
        comparable: Bool
    ) {
        let head = record.prefix(4)
        let startsWithBOM =
            record.starts(with: [0xEF, 0xBB, 0xBF]) || record.starts(with: [0xFE, 0xFF])
            || record.starts(with: [0xFF, 0xFE])
        if startsWithBOM || head.contains(0) {
            // Deliberate: Foundation guesses UTF-16/32 from these; a record is UTF-8, where a BOM
            // and a raw NUL are never valid JSON.
            check(
                !isSuccess(full), target, "projector accepts a record starting with a BOM or NUL: \(record.hexPrefix())"
            )
            return
        }
        let foundation = foundationParse(record)
        switch (full, foundation) {
        case (.success(let value), .success(let reference)):
            if comparable, let difference = difference(value, reference, path: "$") {
                violated(target, "projector and Foundation differ at \(difference) for \(record.hexPrefix(200))")
            }
        case (.success(let value), .failure(let error)):
            checkOnlyProjectorAccepts(record, value, foundationError: error, comparable: comparable)
        case (.failure(let error), .success):
            checkOnlyFoundationAccepts(record, error, maxDepth: maxDepth)
        case (.failure, .failure):
            break
        }
    }

    /// The projector reads what Foundation refuses: fine only where the difference is deliberate.
    static func checkOnlyProjectorAccepts(
        _ record: [UInt8], _ value: JSONValue, foundationError error: Error, comparable: Bool
    ) {
        // Deliberate: a lone surrogate escape reads as U+FFFD. Compare with the record where
        // every lone escape is "\ufffd" (same length), which Foundation must then read.
        var reference: Result<Any, Error> = .failure(error)
        if let patched = replacingLoneSurrogates(record) {
            reference = foundationParse(patched)
            if case .success(let patchedValue) = reference {
                if comparable, let difference = difference(value, patchedValue, path: "$") {
                    violated(
                        target,
                        "projector and Foundation (lone surrogates as U+FFFD) differ at \(difference) for \(record.hexPrefix(200))"
                    )
                }
                return
            }
        }
        // Deliberate: a number beyond Double's range reads as an infinity (NumberParsing.swift).
        if case .failure(let error) = reference, "\(error)".contains("not representable"), containsInfinity(value) {
            return
        }
        violated(
            target, "projector accepts what Foundation refuses (\(error)): \(value) for \(record.hexPrefix(200))")
    }

    /// Foundation reads what the projector refuses: fine only for nesting over the limit or a trailing comma.
    static func checkOnlyFoundationAccepts(_ record: [UInt8], _ error: JSONSyntaxError, maxDepth: Int) {
        if error.reason.contains("nesting deeper than the limit") {
            let depth = nestingDepth(record)
            check(
                depth > maxDepth, target,
                "projector refuses nesting \(depth) within its limit \(maxDepth): \(error)")
            return
        }
        // Deliberate: Foundation accepts a trailing comma before ']' or '}'; RFC 8259 does not.
        if error.offset < record.count, record[error.offset] == 0x5D || record[error.offset] == 0x7D,
            let previous = record[..<error.offset].last(where: { !SplitterTarget.isSpace($0) }), previous == 0x2C
        {
            return
        }
        violated(target, "projector refuses what Foundation accepts: \(error) for \(record.hexPrefix(200))")
    }

    static func foundationParse(_ bytes: [UInt8]) -> Result<Any, Error> {
        Result { try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed]) }
    }

    /// Where `value` and Foundation's `reference` differ, or nil when they are the same.
    static func difference(_ value: JSONValue, _ reference: Any, path: String) -> String? {
        let number = reference as? NSNumber
        let type = number.map { String(cString: $0.objCType) } ?? ""
        let isDecimal = reference is NSDecimalNumber
        switch value {
        case .null:
            return reference is NSNull ? nil : "\(path): null vs \(reference)"
        case .bool(let b):
            return number != nil && !isDecimal && type == "c" && number!.boolValue == b
                ? nil : "\(path): \(b) vs \(reference)"
        case .int(let x):
            guard let number, type != "c" else { return "\(path): \(x) vs \(reference)" }
            if isDecimal { return Int64(number.stringValue) == x ? nil : "\(path): \(x) vs decimal \(number)" }
            switch type {
            case "Q": return x >= 0 && number.uint64Value == UInt64(x) ? nil : "\(path): \(x) vs \(number)"
            case "i", "l", "q", "s": return number.int64Value == x ? nil : "\(path): \(x) vs \(number)"
            default: return "\(path): integer \(x) vs \(number) of type \(type)"
            }
        case .double(let d):
            guard let number, type != "c" else { return "\(path): \(d) vs \(reference)" }
            if isDecimal {
                // NSDecimalNumber's doubleValue is a few ulps off; the projector rounds correctly.
                let r = number.doubleValue
                return d == r || abs(d - r) <= 1e-12 * max(abs(d), abs(r))
                    ? nil : "\(path): \(d) vs decimal \(number) (\(r))"
            }
            switch type {
            case "d", "f":
                return number.doubleValue == d
                    ? nil
                    : "\(path): \(d) (\(d.bitPattern)) vs \(number.doubleValue) (\(number.doubleValue.bitPattern))"
            case "Q": return Double(number.uint64Value) == d ? nil : "\(path): \(d) vs \(number)"
            case "i", "l", "q", "s": return Double(number.int64Value) == d ? nil : "\(path): \(d) vs \(number)"
            default: return "\(path): double \(d) vs \(number) of type \(type)"
            }
        case .string(let s):
            guard let r = reference as? String else { return "\(path): string vs \(reference)" }
            return Array(s.utf8) == Array(r.utf8)
                ? nil : "\(path): \(Array(s.utf8).hexPrefix()) vs \(Array(r.utf8).hexPrefix())"
        case .array(let elements):
            guard let r = reference as? [Any] else { return "\(path): array vs \(reference)" }
            guard elements.count == r.count else { return "\(path): \(elements.count) vs \(r.count) elements" }
            for (index, (a, b)) in zip(elements, r).enumerated() {
                if let d = difference(a, b, path: "\(path)[\(index)]") { return d }
            }
            return nil
        case .object, .projected:
            let members = value.objectMembers ?? [:]
            guard let r = reference as? [String: Any] else { return "\(path): object vs \(reference)" }
            guard members.count == r.count else { return "\(path): \(members.keys.sorted()) vs \(r.keys.sorted())" }
            var byBytes: [[UInt8]: Any] = [:]
            for (key, v) in r { byBytes[Array(key.utf8)] = v }
            for (key, member) in members {
                guard let other = byBytes[Array(key.utf8)] else {
                    return "\(path): key \(key.debugDescription) missing in Foundation's \(r.keys.sorted())"
                }
                if let d = difference(member, other, path: "\(path).\(key.debugDescription)") { return d }
            }
            return nil
        }
    }

    static func containsInfinity(_ value: JSONValue) -> Bool {
        switch value {
        case .double(let d): return d.isInfinite
        case .array(let elements): return elements.contains(where: containsInfinity)
        case .object, .projected: return value.objectMembers!.values.contains(where: containsInfinity)
        default: return false
        }
    }

    /// The record with every `\u` escape of a surrogate that is not half of a high+low
    /// pair replaced by `\ufffd`, or nil when it has none. Only for records the projector
    /// accepted, where every backslash starts an escape inside a string.
    static func replacingLoneSurrogates(_ record: [UInt8]) -> [UInt8]? {
        func hex(_ at: Int) -> Int? {
            guard at + 4 <= record.count else { return nil }
            var v = 0
            for c in record[at..<(at + 4)] {
                guard let digit = Int(String(UnicodeScalar(c)), radix: 16) else { return nil }
                v = v << 4 | digit
            }
            return v
        }
        var out = record
        var found = false
        var i = 0
        while i < record.count {
            guard record[i] == 0x5C else {
                i += 1
                continue
            }
            guard i + 1 < record.count, record[i + 1] == 0x75, let v = hex(i + 2) else {
                i += 2
                continue
            }
            if v >= 0xD800 && v < 0xDC00, i + 12 <= record.count, record[i + 6] == 0x5C, record[i + 7] == 0x75,
                let low = hex(i + 8), low >= 0xDC00 && low < 0xE000
            {
                i += 12
                continue
            }
            if v >= 0xD800 && v < 0xE000 {
                out.replaceSubrange(i..<(i + 6), with: Array("\\ufffd".utf8))
                found = true
            }
            i += 6
        }
        return found ? out : nil
    }

    /// Deepest nesting of objects and arrays, counting brackets outside strings.
    static func nestingDepth(_ record: [UInt8]) -> Int {
        var depth = 0
        var deepest = 0
        var inString = false
        var i = 0
        while i < record.count {
            let c = record[i]
            if inString {
                if c == 0x5C { i += 1 } else if c == 0x22 { inString = false }
            } else if c == 0x22 {
                inString = true
            } else if c == 0x7B || c == 0x5B {
                depth += 1
                deepest = max(deepest, depth)
            } else if c == 0x7D || c == 0x5D {
                depth -= 1
            }
            i += 1
        }
        return deepest
    }
}
