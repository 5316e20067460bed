extension JSONReader {
    /// Validates one value starting at `i` (whitespace already skipped) without
    /// building anything, and leaves `i` after it. Iterative, so any depth up to
    /// `maxDepth` costs no stack. `depth` is the nesting depth the value would
    /// have if it is an object or array.
    mutating func skipValue(depth: Int) throws(JSONSyntaxError) {
        guard i < end else { throw unexpectedEnd("a value") }
        // Scalars first: no container bookkeeping at all.
        let first = base[i]
        if first != 0x7B && first != 0x5B { return try skipScalar() }

        var open = ContainerStack()
        var expectingValue = true
        while true {
            if expectingValue {
                skipWhitespace()
                guard i < end else { throw unexpectedEnd("a value") }
                let c = base[i]
                if c == 0x7B || c == 0x5B {
                    if depth + open.count > maxDepth {
                        throw error(i, "nesting deeper than the limit of \(maxDepth)")
                    }
                    i += 1
                    skipWhitespace()
                    guard i < end else { throw unexpectedEnd(c == 0x7B ? "a key or '}'" : "a value or ']'") }
                    if base[i] == c + 2 {  // empty {} or []
                        i += 1
                        expectingValue = false
                    } else {
                        open.push(isObject: c == 0x7B)
                        if c == 0x7B { try skipKeyAndColon() }
                    }
                    if open.count == 0 { return }
                    continue
                }
                try skipScalar()
                expectingValue = false
                if open.count == 0 { return }
                continue
            }
            // After a value inside a container: ',' or the closing bracket.
            skipWhitespace()
            guard i < end else { throw unexpectedEnd(open.topIsObject ? "',' or '}'" : "',' or ']'") }
            let c = base[i]
            if c == 0x2C {
                i += 1
                expectingValue = true
                if open.topIsObject {
                    skipWhitespace()
                    try skipKeyAndColon()
                }
            } else if c == (open.topIsObject ? 0x7D : 0x5D) {
                i += 1
                open.pop()
                if open.count == 0 { return }
            } else {
                throw unexpected(open.topIsObject ? "',' or '}'" : "',' or ']'")
            }
        }
    }

    /// A string, number or literal at `i`.
    @inline(__always)
    mutating func skipScalar() throws(JSONSyntaxError) {
        let c = base[i]
        switch c {
        case 0x22:
            i += 1
            _ = try scanString()
        case 0x2D, 0x30...0x39:
            i = try JSONNumber.scan(base, i, end).end
        case 0x74, 0x66, 0x6E:
            _ = try scanLiteral()
        default:
            throw unexpected("a value")
        }
    }

    /// `"key"` ws `:` ws, with `i` at the key's opening quote.
    @inline(__always)
    mutating func skipKeyAndColon() throws(JSONSyntaxError) {
        guard i < end else { throw unexpectedEnd("an object key") }
        guard base[i] == 0x22 else { throw unexpected("a string key") }
        i += 1
        _ = try scanString()
        try expectColon()
    }

    @inline(__always)
    mutating func expectColon() throws(JSONSyntaxError) {
        skipWhitespace()
        guard i < end else { throw unexpectedEnd("':'") }
        guard base[i] == 0x3A else { throw unexpected("':'") }
        i += 1
        skipWhitespace()
    }
}

/// Kinds of the containers the skipper is inside (true = object), innermost on
/// top: a bit per level in one word, spilling to an array only past 64 levels.
struct ContainerStack {
    private var bits: UInt64 = 0
    private var spill: [Bool] = []
    private(set) var count = 0

    @inline(__always)
    mutating func push(isObject: Bool) {
        if count < 64 {
            if isObject { bits |= 1 << UInt64(count) } else { bits &= ~(1 << UInt64(count)) }
        } else {
            spill.append(isObject)
        }
        count += 1
    }

    @inline(__always)
    mutating func pop() {
        count -= 1
        if count >= 64 { spill.removeLast() }
    }

    var topIsObject: Bool {
        let top = count - 1
        return top < 64 ? bits >> UInt64(top) & 1 == 1 : spill[top - 64]
    }
}
