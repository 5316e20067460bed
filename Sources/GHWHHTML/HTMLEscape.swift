/// Escaping for HTML/SVG text and attribute values: the one copy used by the report
/// (GHWHReport) and the coordinator web UI (GHWHWebUI) (issue 14).
public enum HTMLEscape {
    /// Escapes `& < > " '` and replaces characters that XML forbids (C0 controls other than tab,
    /// newline and CR; U+FFFE/U+FFFF) with U+FFFD, so the page stays well-formed XHTML too.
    public static func text(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            case _ where scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF:
                out += "\u{FFFD}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
