import Foundation
import Hummingbird

/// Builds the Hummingbird router with every UI, API and ops route.
enum WebUIRouter {
    static let htmlType = "text/html; charset=utf-8"
    static let jsonType = "application/json; charset=utf-8"
    static let textType = "text/plain; charset=utf-8"
    /// Prometheus text exposition format 0.0.4.
    static let prometheusType = "text/plain; version=0.0.4; charset=utf-8"

    static func make(
        snapshot: @escaping @Sendable () -> ClusterSnapshot,
        pastJob: @escaping @Sendable (String) -> ClusterSnapshot.Job?,
        metrics: ClusterMetrics
    ) -> Router<BasicRequestContext> {
        /// The job from memory, or from the journal when memory no longer has it (or its ended task table).
        @Sendable func job(_ id: String, in s: ClusterSnapshot) -> ClusterSnapshot.Job? {
            let current = s.job(id: id)
            if let current, !(current.tasks.isEmpty && current.finishedAt != nil) { return current }
            return pastJob(id) ?? current
        }
        let router = Router(context: BasicRequestContext.self)

        router.get("/") { _, _ in
            respond(.ok, htmlType, WebUIPages.overview(snapshot()))
        }
        router.get("/workers") { _, _ in
            respond(.ok, htmlType, WebUIPages.workers(snapshot()))
        }
        router.get("/jobs/{id}") { _, context in
            let id = jobID(context)
            let s = snapshot()
            guard let job = job(id, in: s) else {
                return respond(.notFound, htmlType, WebUIPages.jobNotFound(id: id, in: s))
            }
            return respond(.ok, htmlType, WebUIPages.job(job, in: s))
        }

        router.get("/api/v1/cluster") { _, _ in try json(.ok, snapshot()) }
        router.get("/api/v1/workers") { _, _ in try json(.ok, snapshot().workers) }
        router.get("/api/v1/jobs") { _, _ in try json(.ok, snapshot().jobs) }
        router.get("/api/v1/jobs/{id}") { _, context in
            let id = jobID(context)
            guard let job = job(id, in: snapshot()) else {
                return try json(.notFound, APIError(error: "unknown job id '\(id)'", status: 404))
            }
            return try json(.ok, job)
        }

        router.get("/healthz") { _, _ in respond(.ok, textType, "ok") }
        router.get("/metrics") { _, _ in
            metrics.update(from: snapshot())
            return respond(.ok, prometheusType, metrics.prometheusText())
        }
        return router
    }

    /// The `{id}` path parameter, percent-decoded (links percent-encode ids).
    private static func jobID(_ context: BasicRequestContext) -> String {
        let raw = context.parameters.get("id") ?? ""
        return raw.removingPercentEncoding ?? raw
    }

    private static func respond(_ status: HTTPResponse.Status, _ type: String, _ text: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = type
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    private static func json(_ status: HTTPResponse.Status, _ value: some Encodable) throws -> Response {
        let data = try SnapshotJSON.encoder().encode(value)
        var headers = HTTPFields()
        headers[.contentType] = jsonType
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// The body of a JSON error response, e.g. `{"error":"unknown job id 'x'","status":404}`.
public struct APIError: Codable, Sendable, Equatable {
    public var error: String
    public var status: Int

    public init(error: String, status: Int) {
        self.error = error
        self.status = status
    }
}
