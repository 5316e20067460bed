/// The rows of a query result, all values in PostgreSQL's text format (NULL is nil).
public struct PGRows: Sendable {
    /// Column names in result order.
    public let columns: [String]
    /// Each row holds one value per column.
    public let rows: [[String?]]

    /// Wraps already-fetched rows (tests build them by hand).
    public init(columns: [String], rows: [[String?]]) {
        self.columns = columns
        self.rows = rows
    }

    /// Number of rows.
    public var count: Int { rows.count }
    public var isEmpty: Bool { rows.isEmpty }

    /// Index of the first column with this name, nil when there is none.
    public func columnIndex(_ name: String) -> Int? { columns.firstIndex(of: name) }

    /// The text value at (row, column index); nil for NULL or an index out of range.
    public subscript(row: Int, column: Int) -> String? {
        guard rows.indices.contains(row), rows[row].indices.contains(column) else { return nil }
        return rows[row][column]
    }

    /// The text value at (row, column name); nil for NULL, an unknown column or a row out of range.
    public subscript(row: Int, column: String) -> String? {
        guard let index = columnIndex(column) else { return nil }
        return self[row, index]
    }

    /// The value as text; nil for NULL, an unknown column or a row out of range.
    public func string(_ row: Int, _ column: String) -> String? { self[row, column] }

    /// The value parsed as a 64-bit integer; nil for NULL, non-integers or a missing cell.
    public func int(_ row: Int, _ column: String) -> Int64? { self[row, column].flatMap { Int64($0) } }

    /// The value parsed as a Double (numeric, float, integer columns); nil when absent or not a number.
    public func double(_ row: Int, _ column: String) -> Double? { self[row, column].flatMap { Double($0) } }

    /// The value of a boolean column (`t` / `f`); nil when absent or not a boolean.
    public func bool(_ row: Int, _ column: String) -> Bool? {
        switch self[row, column] {
        case "t": return true
        case "f": return false
        default: return nil
        }
    }
}

/// Iterating a result gives its rows, each read by column name (`for row in rows { row.string("path") }`),
/// so call sites follow the SELECT's names instead of its column order.
extension PGRows: RandomAccessCollection {
    public var startIndex: Int { 0 }
    public var endIndex: Int { rows.count }

    /// The row at `position`.
    public subscript(position: Int) -> Row { Row(result: self, index: position) }

    /// One row of a result; each accessor answers as the `PGRows` one of the same name does for this row.
    public struct Row: Sendable {
        let result: PGRows
        /// The row's position in the result.
        public let index: Int

        /// Every value of the row, in column order (for error messages that show the whole row).
        public var values: [String?] { result.rows.indices.contains(index) ? result.rows[index] : [] }

        public func string(_ column: String) -> String? { result.string(index, column) }
        public func int(_ column: String) -> Int64? { result.int(index, column) }
        public func double(_ column: String) -> Double? { result.double(index, column) }
        public func bool(_ column: String) -> Bool? { result.bool(index, column) }
    }
}
