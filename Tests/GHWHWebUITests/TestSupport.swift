import Foundation
import GHWHWebUI
import Hummingbird
import HummingbirdTesting

/// One GET answered in-process by the router test client.
struct Fetched {
    var status: HTTPResponse.Status
    var contentType: String?
    var body: String
    var data: Data { Data(body.utf8) }
}

/// Serves `snapshot` through the UI's router (no socket) and GETs each path.
func fetch(
    _ paths: [String], snapshot: ClusterSnapshot = Fixture.snapshot,
    metrics: ClusterMetrics = ClusterMetrics()
) async throws -> [Fetched] {
    let ui = CoordinatorWebUI(host: "127.0.0.1", port: 0, snapshot: { snapshot }, metrics: metrics)
    let app = Application(router: ui.makeRouter())
    return try await app.test(.router) { client in
        var results: [Fetched] = []
        for path in paths {
            let response = try await client.execute(uri: path, method: .get)
            results.append(
                Fetched(
                    status: response.status, contentType: response.headers[.contentType],
                    body: String(buffer: response.body)))
        }
        return results
    }
}

func fetch(
    _ path: String, snapshot: ClusterSnapshot = Fixture.snapshot,
    metrics: ClusterMetrics = ClusterMetrics()
) async throws -> Fetched {
    try await fetch([path], snapshot: snapshot, metrics: metrics)[0]
}
