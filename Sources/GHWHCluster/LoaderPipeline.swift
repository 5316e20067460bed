import GHWHModel

/// The loader's fetched outbox entries and what each of its two lanes
/// commits next (a plain value: decided without threads or a database).
///
/// Issues entries commit on the main lane, pull-request entries on the
/// second, each lane one transaction at a time and in its dataset's order;
/// the two datasets' writes touch no common row (migration 9) and commute,
/// so the lanes run side by side, each as soon as its dataset's next entry is
/// here (not batch by batch: the last issues merge of a job no longer holds
/// back the pull requests that arrived while it ran). Entries of no dataset
/// (job start and end, gold results) are barriers: one starts only when every
/// entry before it has committed, on the main lane, and nothing starts while
/// it runs. `committedThrough` is what may be acknowledged: every entry up to
/// it has committed, whichever lane did.
public struct LoaderPipeline: Sendable {
    /// Fetched, not started, in sequence order.
    public private(set) var pending: [LoaderEntry] = []
    public private(set) var pendingBytes = 0
    /// The sequence number of the last entry fetched (nil before the first).
    public private(set) var lastFetched: UInt64?
    /// Every entry up to and including this one has committed (nil before the first fetched did).
    public var committedThrough: UInt64? {
        guard let first = firstFetched, nextToCommit > first else { return nil }
        return nextToCommit - 1
    }
    private var firstFetched: UInt64?
    /// The lowest sequence number not committed yet.
    private var nextToCommit: UInt64 = 0
    private var inFlight: [Loader.Lane: [UInt64]] = [:]
    private var barrierInFlight = false
    /// Committed entries above `committedThrough` (a lane ran ahead of the other).
    private var committedAhead: Set<UInt64> = []

    public init() {}

    /// True when no lane has a transaction in flight.
    public var isIdle: Bool { inFlight.isEmpty }

    /// Adds fetched entries (sequence numbers start at 1 and increase by
    /// one). Entries at or below `lastFetched` (a fetch that started from the
    /// head of the outbox) are dropped: they are here already.
    public mutating func add(_ entries: [LoaderEntry]) {
        for entry in entries where lastFetched.map({ entry.seq > $0 }) ?? true {
            if firstFetched == nil {
                firstFetched = entry.seq
                nextToCommit = entry.seq
            }
            pending.append(entry)
            pendingBytes += entry.message.byteCount
            lastFetched = entry.seq
        }
    }

    /// Forgets the entries no lane has taken (another coordinator process
    /// holds the outbox now; the old one's are gone with it).
    public mutating func dropPending() {
        pending.removeAll()
        pendingBytes = 0
    }

    /// The entries `lane` commits next, in one transaction, now marked in
    /// flight; nil when it has a transaction in flight or may start nothing.
    public mutating func take(for lane: Loader.Lane) -> [LoaderEntry]? {
        guard inFlight[lane] == nil, !barrierInFlight, let head = pending.first else { return nil }
        let indices: [Int]
        if head.message.dataset == nil {
            // A barrier: after everything before it, with the barriers right behind it.
            guard lane == .main, isIdle else { return nil }
            indices = firstTransaction { $0 == nil ? .take : .stop }
            barrierInFlight = true
        } else {
            let dataset: Dataset = lane == .main ? .issues : .pullRequests
            indices = firstTransaction { d in d == nil ? .stop : d == dataset ? .take : .skip }
            guard !indices.isEmpty else { return nil }
        }
        let taken = indices.map { pending[$0] }
        let takenIndices = Set(indices)
        pending = pending.indices.filter { !takenIndices.contains($0) }.map { pending[$0] }
        pendingBytes -= taken.reduce(0) { $0 + $1.message.byteCount }
        inFlight[lane] = taken.map(\.seq)
        return taken
    }

    private enum Pick { case take, skip, stop }

    /// Indices of the pending entries one transaction takes: those `pick`
    /// takes (by their dataset), in order, up to the loader's transaction
    /// limits (`LoaderBatching.isFull`), until a `stop`.
    private func firstTransaction(_ pick: (Dataset?) -> Pick) -> [Int] {
        var indices: [Int] = []
        var bytes = 0
        for (i, entry) in pending.enumerated() {
            let size = entry.message.byteCount
            switch pick(entry.message.dataset) {
            case .stop: return indices
            case .skip: continue
            case .take:
                if LoaderBatching.isFull(messages: indices.count, bytes: bytes, adding: size) { return indices }
                indices.append(i)
                bytes += size
            }
        }
        return indices
    }

    /// `lane`'s transaction committed (or was dealt with): its entries count
    /// as committed and `committedThrough` moves up as far as it can.
    public mutating func finished(_ lane: Loader.Lane) {
        guard let seqs = inFlight.removeValue(forKey: lane) else { return }
        if lane == .main { barrierInFlight = false }
        committedAhead.formUnion(seqs)
        while committedAhead.remove(nextToCommit) != nil { nextToCommit += 1 }
    }
}
