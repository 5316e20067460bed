/// Validates a whole JSON record and materialises only the selected fields.
///
/// Everything is checked (syntax, strict numbers, escapes, UTF-8, control
/// characters, nesting depth); unselected values are validated by a skip loop
/// that builds no Strings or arrays.
public struct JSONProjector: Sendable {
    /// Materialising recursion uses the stack; deeper limits are clamped to this.
    public static let depthCeiling = 512

    private let selection: CompiledSelection
    private let maxDepth: Int

    /// - Parameters:
    ///   - selection: the top-level members to keep, with nested selections.
    ///   - maxDepth: nesting of objects/arrays allowed (the record itself is depth 1),
    ///     clamped to 1...`depthCeiling`.
    public init(_ selection: [String: JSONSelection], maxDepth: Int = 128) {
        self.selection = CompiledSelection(selection)
        self.maxDepth = min(max(maxDepth, 1), Self.depthCeiling)
    }

    /// Parses exactly one JSON value (surrounding whitespace allowed, anything else
    /// after it is an error) and validates all of it. An object comes back with only
    /// the selected members; any other top-level value comes back whole.
    /// A lone `\u` surrogate escape becomes U+FFFD; a valid pair becomes one scalar.
    public func project(_ bytes: UnsafeRawBufferPointer) throws(JSONSyntaxError) -> JSONValue {
        try Self.read(bytes, selection: selection, maxDepth: maxDepth)
    }

    /// Parses one value with the top-level `selection` applied if it is an object.
    static func read(_ bytes: UnsafeRawBufferPointer, selection: CompiledSelection, maxDepth: Int)
        throws(JSONSyntaxError) -> JSONValue
    {
        guard let base = bytes.baseAddress, bytes.count > 0 else {
            throw JSONSyntaxError(offset: 0, reason: "empty input: expected a JSON value")
        }
        var reader = JSONReader(
            base: base.assumingMemoryBound(to: UInt8.self), count: bytes.count,
            maxDepth: maxDepth)
        reader.skipWhitespace()
        guard reader.i < reader.end else {
            throw JSONSyntaxError(offset: reader.end, reason: "unexpected end of input: expected a value")
        }
        let isObject = reader.base[reader.i] == 0x7B
        let result = try reader.value(isObject ? selection : .all, depth: 1)
        reader.skipWhitespace()
        if reader.i < reader.end {
            throw JSONSyntaxError(
                offset: reader.i,
                reason: "unexpected \(describeByte(reader.base[reader.i])) after the JSON value")
        }
        return result
    }

    /// The object that starts at `bytes`' first byte, validated and projected
    /// as `project` would, and its length; nil when the bytes do not start
    /// with a complete valid object (invalid, too deep, or cut off by the end
    /// of `bytes`): then the caller finds the record's end and projects it
    /// alone, which gives the reason. What follows the object is not read, so
    /// for a valid object this is `project` of exactly its bytes.
    public func projectPrefix(_ bytes: UnsafeRawBufferPointer) -> (value: JSONValue, length: Int)? {
        guard let base = bytes.baseAddress, bytes.count > 0, bytes[0] == 0x7B else { return nil }
        var reader = JSONReader(
            base: base.assumingMemoryBound(to: UInt8.self), count: bytes.count, maxDepth: maxDepth)
        do throws(JSONSyntaxError) {
            let value = try reader.value(selection, depth: 1)
            return (value, reader.i)
        } catch {
            return nil
        }
    }

    /// Convenience for byte arrays.
    public func project(_ bytes: [UInt8]) throws(JSONSyntaxError) -> JSONValue {
        let result: Result<JSONValue, JSONSyntaxError> = bytes.withUnsafeBytes { raw in
            do throws(JSONSyntaxError) { return .success(try project(raw)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    /// Validates one JSON value without materialising anything.
    public func validate(_ bytes: UnsafeRawBufferPointer) throws(JSONSyntaxError) {
        guard let base = bytes.baseAddress, bytes.count > 0 else {
            throw JSONSyntaxError(offset: 0, reason: "empty input: expected a JSON value")
        }
        var reader = JSONReader(
            base: base.assumingMemoryBound(to: UInt8.self), count: bytes.count,
            maxDepth: maxDepth)
        reader.skipWhitespace()
        try reader.skipValue(depth: 1)
        reader.skipWhitespace()
        if reader.i < reader.end {
            throw JSONSyntaxError(
                offset: reader.i,
                reason: "unexpected \(describeByte(reader.base[reader.i])) after the JSON value")
        }
    }
}
