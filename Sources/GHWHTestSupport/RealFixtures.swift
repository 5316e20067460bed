import Foundation

/// Real GitHub API objects for tests: `issues.json` and `pull_requests.json` in
/// `Tests/Fixtures/github-real` of this package (provenance and licences in its SOURCES.md,
/// selection redone by scripts/curate-fixtures.py). Found from this file's path, so tests need
/// nothing beside the repository; a missing file throws, and the test fails.
///
/// The larger corpus the fixtures were picked from can be checked too, never by default:
/// `GHWH_FULL_CORPUS=/path/to/github-real swift test --filter ...` runs the tests gated on
/// `RealFixtures.fullCorpusRequested` against that directory (same file names).
public enum RealFixtures {
    public static let fileNames = ["issues.json", "pull_requests.json"]

    /// The environment variable naming the optional full corpus directory.
    public static let fullCorpusVariable = "GHWH_FULL_CORPUS"

    /// The package root: the nearest directory above this file that holds Package.swift.
    public static func packageRoot(filePath: String = #filePath) throws -> URL {
        var directory = URL(fileURLWithPath: filePath).deletingLastPathComponent()
        while directory.path != "/" {
            if FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) {
                return directory
            }
            directory.deleteLastPathComponent()
        }
        throw RealFixturesError("no Package.swift above \(filePath)")
    }

    /// `Tests/Fixtures/github-real`, checked to hold both object files.
    public static func directory() throws -> URL {
        try checked(packageRoot().appendingPathComponent("Tests/Fixtures/github-real"))
    }

    /// Whether the optional full-corpus check was asked for (the variable is set and not empty).
    public static var fullCorpusRequested: Bool {
        !(ProcessInfo.processInfo.environment[fullCorpusVariable] ?? "").isEmpty
    }

    /// The directory named by GHWH_FULL_CORPUS, checked to hold both object files.
    public static func fullCorpusDirectory() throws -> URL {
        guard let path = ProcessInfo.processInfo.environment[fullCorpusVariable], !path.isEmpty else {
            throw RealFixturesError("\(fullCorpusVariable) is not set")
        }
        return try checked(URL(fileURLWithPath: path).standardizedFileURL)
    }

    /// The JSON array of `name` in `directory` (the fixtures unless told), as Foundation objects.
    public static func objects(_ name: String, in directory: URL? = nil) throws -> [[String: Any]] {
        let url = try (directory ?? self.directory()).appendingPathComponent(name)
        guard let objects = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [[String: Any]] else {
            throw RealFixturesError("\(url.path) is not a JSON array of objects")
        }
        return objects
    }

    private static func checked(_ directory: URL) throws -> URL {
        for name in fileNames where !FileManager.default.fileExists(atPath: directory.appendingPathComponent(name).path)
        {
            throw RealFixturesError("\(name) missing in \(directory.path)")
        }
        return directory
    }
}

public struct RealFixturesError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
