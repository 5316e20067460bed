extension JSONValue {
    /// Parses and fully materialises one JSON value, with the same strict
    /// validation as `JSONProjector` (use a projector on the hot path).
    public static func parse(_ bytes: UnsafeRawBufferPointer, maxDepth: Int = 128) throws(JSONSyntaxError) -> JSONValue
    {
        try JSONProjector.read(
            bytes, selection: .all,
            maxDepth: min(max(maxDepth, 1), JSONProjector.depthCeiling))
    }

    /// Parses and fully materialises one JSON value held in a byte array.
    public static func parse(_ bytes: [UInt8], maxDepth: Int = 128) throws(JSONSyntaxError) -> JSONValue {
        let result: Result<JSONValue, JSONSyntaxError> = bytes.withUnsafeBytes { raw in
            do throws(JSONSyntaxError) { return .success(try parse(raw, maxDepth: maxDepth)) } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }
}
