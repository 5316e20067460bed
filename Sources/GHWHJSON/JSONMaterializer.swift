extension JSONReader {
    /// Parses the value at `i` (whitespace skipped), building only what `selection`
    /// keeps. `depth` is the nesting depth the value has if it is an object or array.
    mutating func value(_ selection: CompiledSelection, depth: Int) throws(JSONSyntaxError) -> JSONValue {
        guard i < end else { throw unexpectedEnd("a value") }
        switch base[i] {
        case 0x7B:
            return try object(selection, depth: depth)
        case 0x5B:
            return try array(selection, depth: depth)
        case 0x22:
            i += 1
            let span = try scanString()
            return .string(makeString(span))
        case 0x2D, 0x30...0x39:
            let start = i
            let (stop, isInteger) = try JSONNumber.scan(base, i, end)
            i = stop
            return JSONNumber.value(base, start, stop, isInteger: isInteger)
        case 0x74, 0x66, 0x6E:
            return try scanLiteral()
        default:
            throw unexpected("a value")
        }
    }

    /// An object at `i`: keeps the selected members (all of them for `.all`) and
    /// validates the others with the skipper. Duplicate keys: the last one wins.
    mutating func object(_ selection: CompiledSelection, depth: Int) throws(JSONSyntaxError) -> JSONValue {
        if depth > maxDepth { throw error(i, "nesting deeper than the limit of \(maxDepth)") }
        i += 1
        // A selection's members go to slots (no hashing); `.all` keeps any key.
        var members: [String: JSONValue] = [:]
        var slots: [JSONValue?] = []
        if selection.isAll {
            members.reserveCapacity(8)
        } else {
            slots = Array(repeating: nil, count: selection.members.count)
        }
        func finished() -> JSONValue {
            selection.isAll ? .object(members) : .projected(ProjectedObject(selection: selection, slots: slots))
        }
        skipWhitespace()
        guard i < end else { throw unexpectedEnd("a key or '}'") }
        if base[i] == 0x7D {
            i += 1
            return finished()
        }
        while true {
            guard i < end else { throw unexpectedEnd("an object key") }
            guard base[i] == 0x22 else { throw unexpected("a string key") }
            i += 1
            let key = try scanString()
            try expectColon()
            if selection.isAll {
                let name = makeString(key)
                members[name] = try value(.all, depth: depth + 1)
            } else if let index = match(key, in: selection) {
                slots[index] = try value(selection.members[index].selection, depth: depth + 1)
            } else {
                try skipValue(depth: depth + 1)
            }
            skipWhitespace()
            guard i < end else { throw unexpectedEnd("',' or '}'") }
            let c = base[i]
            i += 1
            if c == 0x7D { return finished() }
            if c != 0x2C {
                i -= 1
                throw unexpected("',' or '}'")
            }
            skipWhitespace()
        }
    }

    /// An array at `i`: every element gets the same selection.
    mutating func array(_ selection: CompiledSelection, depth: Int) throws(JSONSyntaxError) -> JSONValue {
        if depth > maxDepth { throw error(i, "nesting deeper than the limit of \(maxDepth)") }
        i += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        guard i < end else { throw unexpectedEnd("a value or ']'") }
        if base[i] == 0x5D {
            i += 1
            return .array(elements)
        }
        while true {
            elements.append(try value(selection, depth: depth + 1))
            skipWhitespace()
            guard i < end else { throw unexpectedEnd("',' or ']'") }
            let c = base[i]
            i += 1
            if c == 0x5D { return .array(elements) }
            if c != 0x2C {
                i -= 1
                throw unexpected("',' or ']'")
            }
            skipWhitespace()
        }
    }

    /// Index of the selected member named by this key, comparing raw bytes
    /// (decoded first in the rare case the key contains escapes).
    @inline(__always)
    private mutating func match(_ key: StringSpan, in selection: CompiledSelection) -> Int? {
        if !key.hasEscapes { return selection.lookup(base + key.start, key.end - key.start) }
        return withDecodedBytes(key) { selection.lookup($0, $1) }
    }
}
