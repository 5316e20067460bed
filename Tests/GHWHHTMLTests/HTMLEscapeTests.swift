import GHWHHTML
import Testing

@Suite struct HTMLEscapeTests {
    @Test func escapesTheFiveSpecials() {
        #expect(
            HTMLEscape.text(#"<a href="x">Tom & 'Jerry'</a>"#)
                == "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;")
        #expect(HTMLEscape.text("plain ü 💥") == "plain ü 💥")
    }

    @Test func replacesCharactersXMLForbids() {
        #expect(HTMLEscape.text("a\u{0}b\u{1}c\u{1F}d") == "a\u{FFFD}b\u{FFFD}c\u{FFFD}d")
        #expect(HTMLEscape.text("x\u{FFFE}y\u{FFFF}z") == "x\u{FFFD}y\u{FFFD}z")
        #expect(HTMLEscape.text("tab\tnew\nline\rok") == "tab\tnew\nline\rok")
        #expect(HTMLEscape.text("\u{7F}\u{FFFD}") == "\u{7F}\u{FFFD}")
    }
}
