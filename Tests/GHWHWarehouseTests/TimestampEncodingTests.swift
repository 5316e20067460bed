import GHWHRandom
import Testing

@testable import GHWHWarehouse

/// CopyTextWriter's timestamps, parsed by the server, must be the instants they were meant to be.
@Suite struct TimestampEncodingTests {
    static let year1: Int64 = -62_135_596_800_000_000  // 0001-01-01
    static let year10000: Int64 = 253_402_300_800_000_000  // 10000-01-01

    @Test func serverParsesRandomInstantsExactly() throws {
        var random = SplitMix64(state: 0xC0FFEE)
        var instants: [Int64] = [
            0, -1, 1, Self.year1, Self.year10000 - 1, 951_782_400_000_000, 1_709_294_405_123_456,
            -62_135_596_800_000_001,  // 1 BC
            -210_000_000_000_000_000,  // ~4685 BC, near PostgreSQL's lower bound
            Self.year10000, 9_000_000_000_000_000_000 / 1000,
        ]
        for _ in 0..<3000 { instants.append(Int64.random(in: Self.year1..<Self.year10000, using: &random)) }
        // Whole seconds and whole days too: the "no fraction" form.
        for _ in 0..<500 {
            instants.append(Int64.random(in: -62_135_596_800...253_402_300_799, using: &random) * 1_000_000)
        }
        for _ in 0..<200 { instants.append(Int64.random(in: -719_162...2_932_896, using: &random) * 86_400_000_000) }

        let db = try newConnection()
        try db.execute("CREATE TABLE ts (expected bigint, t timestamptz)")
        var writer = CopyTextWriter()
        for instant in instants {
            writer.int(instant)
            writer.timestamp(microsecondsSinceEpoch: instant)
            writer.endRow()
        }
        #expect(try db.copyIn("COPY ts FROM STDIN", data: writer.bytes) == instants.count)

        // Two independent readings: the epoch the server extracts, and the server's own
        // to_timestamp of the whole seconds plus the microseconds.
        let mismatches = try db.query(
            """
            SELECT expected, t::text AS parsed
            FROM ts
            WHERE (extract(epoch FROM t) * 1000000)::bigint <> expected
               OR t <> to_timestamp(div(expected, 1000000)::float8)
                        + (expected - div(expected, 1000000) * 1000000) * interval '1 microsecond'
            LIMIT 10
            """)
        #expect(mismatches.isEmpty, "server disagrees: \(mismatches.rows)")
        #expect(try db.query("SELECT count(*) AS n FROM ts").int(0, "n") == Int64(instants.count))
    }

    @Test func serverPrintsTheSameTextBack() throws {
        let db = try newConnection()
        try db.execute("SET TimeZone = 'UTC'; CREATE TABLE ts (n int, t timestamptz)")
        let instants: [Int64] = [0, 1_709_294_405_123_456, -1, Self.year1, Self.year10000 - 1, -62_135_596_800_000_001]
        var writer = CopyTextWriter()
        for (n, instant) in instants.enumerated() {
            writer.int(Int64(n))
            writer.timestamp(microsecondsSinceEpoch: instant)
            writer.endRow()
        }
        try db.copyIn("COPY ts FROM STDIN", data: writer.bytes)
        var expected = CopyTextWriter()
        for instant in instants {
            expected.timestamp(microsecondsSinceEpoch: instant)
            expected.endRow()
        }
        let printed = try db.query("SELECT t::text AS t FROM ts ORDER BY n").rows.map { ($0[0] ?? "") + "\n" }.joined()
        #expect(printed == String(decoding: expected.bytes, as: UTF8.self))
    }
}
