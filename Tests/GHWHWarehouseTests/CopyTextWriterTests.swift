import Testing

@testable import GHWHWarehouse

/// The encoder's exact bytes. Server round trips are in CopyRoundTripTests.
@Suite struct CopyTextWriterTests {
    private func encoded(_ build: (inout CopyTextWriter) -> Void) -> String {
        var writer = CopyTextWriter()
        build(&writer)
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    @Test func separatesFieldsWithTabsAndRowsWithNewlines() {
        var writer = CopyTextWriter()
        writer.int(1)
        writer.text("a")
        writer.bool(true)
        writer.endRow()
        writer.int(nil)
        writer.text(nil)
        writer.bool(false)
        writer.endRow()
        #expect(String(decoding: writer.bytes, as: UTF8.self) == "1\ta\tt\n\\N\t\\N\tf\n")
        #expect(writer.rowCount == 2)
    }

    @Test func escapesTextSpecials() {
        #expect(encoded { $0.text("a\\b\tc\nd\re") } == "a\\\\b\\tc\\nd\\re")
        #expect(encoded { $0.text("") } == "")
        #expect(encoded { $0.text("\\N") } == "\\\\N")
        #expect(encoded { $0.text("x\u{0}y") } == "x\u{FFFD}y")
        #expect(encoded { $0.text("héllo 🎉") } == "héllo 🎉")
    }

    @Test func writesIntegerExtremes() {
        #expect(encoded { $0.int(0) } == "0")
        #expect(encoded { $0.int(-42) } == "-42")
        #expect(encoded { $0.int(Int64.max) } == "9223372036854775807")
        #expect(encoded { $0.int(Int64.min) } == "-9223372036854775808")
    }

    @Test func quotesArrayElementsOnlyWhenNeeded() {
        #expect(encoded { $0.textArray([]) } == "{}")
        #expect(encoded { $0.textArray(nil) } == "\\N")
        #expect(encoded { $0.textArray(["a", "b c", "q\"x"]) } == "{a,\"b c\",\"q\\\\\"x\"}")
        #expect(
            encoded { $0.textArray(["", "NULL", "null", "Nul", "a,b", "{x}"]) }
                == "{\"\",\"NULL\",\"null\",Nul,\"a,b\",\"{x}\"}")
        // backslash: array escape \\ then COPY escape doubles both
        #expect(encoded { $0.textArray(["a\\b"]) } == "{\"a\\\\\\\\b\"}")
        #expect(encoded { $0.textArray(["tab\there"]) } == "{\"tab\\there\"}")
        #expect(encoded { $0.textArray(["ünï", "🎉"]) } == "{ünï,🎉}")
    }

    @Test func formatsTimestampsInUTC() {
        func ts(_ micros: Int64) -> String { encoded { $0.timestamp(microsecondsSinceEpoch: micros) } }
        #expect(ts(0) == "1970-01-01 00:00:00+00")
        #expect(ts(1_709_294_405_123_456) == "2024-03-01 12:00:05.123456+00")
        #expect(ts(1_709_294_405_000_001) == "2024-03-01 12:00:05.000001+00")
        #expect(ts(-1) == "1969-12-31 23:59:59.999999+00")
        #expect(ts(-86_400_000_000) == "1969-12-31 00:00:00+00")
        #expect(ts(951_782_400_000_000) == "2000-02-29 00:00:00+00")
        #expect(ts(-62_135_596_800_000_000) == "0001-01-01 00:00:00+00")
        #expect(ts(253_402_300_799_999_999) == "9999-12-31 23:59:59.999999+00")
        #expect(ts(-62_135_596_800_000_001) == "0001-12-31 23:59:59.999999+00 BC")
        #expect(ts(253_402_300_800_000_000) == "10000-01-01 00:00:00+00")
        #expect(encoded { $0.timestamp(microsecondsSinceEpoch: nil) } == "\\N")
    }

    @Test func appendAndRemoveAllKeepRowCounts() {
        var a = CopyTextWriter()
        a.int(1)
        a.endRow()
        var b = CopyTextWriter()
        b.int(2)
        b.endRow()
        b.int(3)
        b.endRow()
        a.append(b)
        #expect(a.rowCount == 3)
        #expect(String(decoding: a.bytes, as: UTF8.self) == "1\n2\n3\n")
        a.removeAll(keepingCapacity: true)
        #expect(a.rowCount == 0 && a.bytes.isEmpty)
        a.text("x")
        a.text("y")
        a.endRow()
        #expect(String(decoding: a.bytes, as: UTF8.self) == "x\ty\n")
    }

    @Test func dateIsWrittenAsGivenOrNull() {
        #expect(
            encoded {
                $0.date("2024-03-01")
                $0.date(nil)
            } == "2024-03-01\t\\N")
    }
}
