import Foundation

/// Applies the versioned `.sql` migrations shipped as resources
/// (`Migrations/NNNN_name.sql`) in order, each in its own transaction, under an
/// advisory lock so concurrent starters don't race. Idempotent: applied
/// versions are recorded in `ghwh_meta.schema_migrations`.
public enum Migrator {
    public struct Migration: Sendable {
        public let version: Int
        public let name: String
        public let sql: String
    }

    /// Arbitrary constant identifying ghwh's migration lock.
    static let advisoryLockKey = 0x6768_7768_6d69_67

    public static func bundledMigrations() throws -> [Migration] {
        guard let dir = Bundle.module.url(forResource: "Migrations", withExtension: nil) else {
            throw WarehouseError("migration resources not found in \(Bundle.module.bundlePath)")
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".sql") }
            .sorted()
        return try names.map { name in
            guard let version = Int(name.prefix { $0.isNumber }) else {
                throw WarehouseError("migration file \(name) does not start with a version number")
            }
            let sql = try String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8)
            return Migration(version: version, name: String(name.dropLast(4)), sql: sql)
        }
    }

    /// Returns the versions applied by this call.
    @discardableResult
    public static func migrate(_ db: PGConnection, migrations: [Migration]? = nil) throws -> [Int] {
        let all = try migrations ?? bundledMigrations()
        try db.execute("SELECT pg_advisory_lock(\(advisoryLockKey))")
        defer { try? db.execute("SELECT pg_advisory_unlock(\(advisoryLockKey))") }
        try db.execute(
            """
            CREATE SCHEMA IF NOT EXISTS ghwh_meta;
            CREATE TABLE IF NOT EXISTS ghwh_meta.schema_migrations (
                version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now());
            """)
        let applied = Set(
            try db.query("SELECT version FROM ghwh_meta.schema_migrations").compactMap {
                $0.int("version").map { Int($0) }
            })
        var done: [Int] = []
        for m in all.sorted(by: { $0.version < $1.version }) where !applied.contains(m.version) {
            try db.transaction {
                try db.execute(m.sql)
                try db.command(
                    "INSERT INTO ghwh_meta.schema_migrations (version, name) VALUES ($1, $2)",
                    [String(m.version), m.name])
            }
            done.append(m.version)
        }
        return done
    }
}

/// An error of ghwh's own warehouse logic (as opposed to a server error, `PGError`).
public struct WarehouseError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
