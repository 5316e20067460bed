/// A plain-text table with aligned columns; every rendered line has the same display width.
struct TextTable {
    struct Column {
        var title: String
        var rightAligned = false
        /// Shrinkable columns give up width (their cells get "…") when the table is too wide.
        var shrinkable = false
        var minWidth = 8
    }

    var columns: [Column]
    var rows: [[String]]

    static let gap = "  "

    /// Header, a rule, then the rows; each line is `indent` spaces plus the cells.
    /// Shrinkable columns are narrowed until the lines fit in `maxWidth` (or hit their minimum).
    func render(maxWidth: Int, indent: Int = 2) -> [String] {
        var widths = columns.indices.map { c in
            rows.reduce(DisplayWidth.of(columns[c].title)) {
                max($0, DisplayWidth.of($1.indices.contains(c) ? $1[c] : ""))
            }
        }
        let fixed = indent + TextTable.gap.count * max(0, columns.count - 1)
        while fixed + widths.reduce(0, +) > maxWidth {
            // Take one column from the widest shrinkable column still above its minimum.
            let candidates = columns.indices.filter { columns[$0].shrinkable && widths[$0] > columns[$0].minWidth }
            guard let widest = candidates.max(by: { widths[$0] < widths[$1] }) else { break }
            widths[widest] -= 1
        }
        let margin = String(repeating: " ", count: indent)
        func line(_ cells: [String]) -> String {
            margin
                + columns.indices.map { c in
                    DisplayWidth.pad(
                        cells.indices.contains(c) ? cells[c] : "", to: widths[c], rightAligned: columns[c].rightAligned)
                }.joined(separator: TextTable.gap)
        }
        let rule = margin + widths.map { String(repeating: "─", count: $0) }.joined(separator: TextTable.gap)
        return [line(columns.map(\.title)), rule] + rows.map(line)
    }
}
