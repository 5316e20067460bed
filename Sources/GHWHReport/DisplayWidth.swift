/// Terminal column widths: a simple East-Asian-wide / emoji heuristic, good enough to align
/// tables with CJK or emoji label names (not a full UAX #11 implementation).
enum DisplayWidth {
    /// Columns a string occupies in a monospace terminal.
    static func of(_ s: String) -> Int {
        s.reduce(0) { $0 + of($1) }
    }

    /// Columns of one grapheme cluster: 2 for emoji and wide CJK, 0 for controls and lone marks, else 1.
    static func of(_ ch: Character) -> Int {
        let scalars = ch.unicodeScalars
        guard let first = scalars.first else { return 0 }
        if first.value < 0x20 || (0x7F..<0xA0).contains(first.value) { return 0 }
        if scalars.contains(where: { $0.properties.isEmojiPresentation }) { return 2 }
        // Text-default emoji turned into emoji by VS16 (e.g. "❤️").
        if scalars.contains("\u{FE0F}"), first.properties.isEmoji, first.value > 0xFF { return 2 }
        if isWide(first.value) { return 2 }
        switch first.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format: return 0
        default: return 1
        }
    }

    private static func isWide(_ v: UInt32) -> Bool {
        switch v {
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
            0xA000...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60,
            0xFFE0...0xFFE6, 0x1F300...0x1F64F, 0x1F900...0x1F9FF, 0x20000...0x3FFFD:
            return true
        default:
            return false
        }
    }

    /// Cuts `s` to at most `maxWidth` columns, ending in "…" when anything was cut.
    static func truncate(_ s: String, to maxWidth: Int) -> String {
        guard of(s) > maxWidth else { return s }
        guard maxWidth > 0 else { return "" }
        var out = ""
        var used = 0
        for ch in s {
            let w = of(ch)
            if used + w > maxWidth - 1 { break }
            out.append(ch)
            used += w
        }
        return out + "…"
    }

    /// Pads with spaces to exactly `width` columns (after truncating if needed).
    static func pad(_ s: String, to width: Int, rightAligned: Bool = false) -> String {
        let cut = truncate(s, to: width)
        let fill = String(repeating: " ", count: max(0, width - of(cut)))
        return rightAligned ? fill + cut : cut + fill
    }

    /// Replaces control characters (which could move the cursor or inject terminal escapes) with "�".
    static func sanitised(_ s: String) -> String {
        String(
            String.UnicodeScalarView(
                s.unicodeScalars.map { sc in
                    sc.value < 0x20 || (0x7F..<0xA0).contains(sc.value) ? "\u{FFFD}" : sc
                }))
    }
}
