import GHWHModel
import GHWHWarehouse
import Logging

/// The coordinator's view of the warehouse: what planning needs to skip
/// unchanged work, the gold plan, and the summary's reject samples. It writes
/// nothing (the loader is the only writer) and reconnects like the loader.
public final class WarehouseReader {
    private let session: WarehouseSession

    public init(conninfo: String, logger: Logger) {
        session = WarehouseSession(conninfo: conninfo, logger: logger, writer: nil)
    }

    /// What the planner needs to skip unchanged work.
    public func warehouseState(datasets: [Dataset]) throws -> Planner.WarehouseState {
        var state = Planner.WarehouseState()
        try session.withRetry { store in
            for d in datasets {
                state.loadedFiles[d] = try store.loadedFiles(dataset: d)
                state.mergedDocuments.formUnion(try store.mergedDocuments(dataset: d))
                state.committedTasks.formUnion(try store.committedTasksOfOpenDocuments(dataset: d))
            }
        }
        return state
    }

    /// Runs `body` with the gold store (gold planning reads silver and the gold marks).
    func withGoldStore<T>(_ body: (GoldStore) throws -> T) throws -> T {
        try session.withGoldStore(body)
    }

    /// The first rejects of documents this job committed tasks for (the summary's samples).
    func rejectSamples(jobId: String, limit: Int) throws -> [JobSummary.RejectSample] {
        var samples: [SilverStore.RejectSample] = []
        try session.withRetry { store in samples = try store.rejectSamples(jobId: jobId, limit: limit) }
        return samples.map { .init(dataset: $0.dataset, source: $0.source, ordinal: $0.ordinal, reason: $0.reason) }
    }

    public func close() { session.close() }
}
