import Foundation

/// Locates shared/corpus/github-real: the package lives at <root>/main (or a dev folder below
/// <root>) with shared/ at <root>/shared, so walk up from this file until it appears.
enum SharedCorpus {
    static func directory(filePath: String = #filePath) -> URL? {
        var directory = URL(fileURLWithPath: filePath).deletingLastPathComponent()
        while directory.path != "/" {
            let candidate = directory.appendingPathComponent("shared/corpus/github-real")
            if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("pull_requests.json").path) {
                return candidate
            }
            directory.deleteLastPathComponent()
        }
        return nil
    }
}
