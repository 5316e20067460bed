import GHWHModel

/// Gathers small whole documents into task groups of about a chunk of JSON
/// (a plain value: the planner feeds it, tests drive it directly). A
/// document of at least a `largeFraction` of a chunk travels alone, as does
/// a group of one, so large inputs plan exactly as before.
public struct SmallDocumentGrouper: Sendable {
    /// What the planner emits.
    public enum Planned: Sendable {
        case task(SilverTask)
        case group(SilverTaskGroup)
    }

    /// A document at least this share of a chunk is not small.
    public static let largeFraction = 4
    /// Members per group at most, by default (bounds a group's bookkeeping statements).
    public static let defaultMaxMembers = 2048

    public let chunkBytes: Int
    public let maxMembers: Int
    /// The open group of each dataset (the planner interleaves the datasets' files).
    private var open: [Dataset: (members: [SilverTask], bytes: Int)] = [:]

    public init(chunkBytes: Int, maxMembers: Int = Self.defaultMaxMembers) {
        self.chunkBytes = chunkBytes
        self.maxMembers = max(1, maxMembers)
    }

    /// Documents waiting for their group to fill.
    public var waiting: Int { open.values.reduce(0) { $0 + $1.members.count } }

    /// Takes a whole-document task of `size` bytes of JSON; returns what is ready to emit, in order.
    public mutating func add(_ task: SilverTask, size: Int) -> [Planned] {
        if size * Self.largeFraction >= chunkBytes { return flush() + [.task(task)] }
        var ready: [Planned] = []
        if let group = open[task.dataset], group.bytes + size > chunkBytes || group.members.count >= maxMembers {
            ready = flush(task.dataset)
        }
        open[task.dataset, default: ([], 0)].members.append(task)
        open[task.dataset, default: ([], 0)].bytes += size
        return ready
    }

    /// The groups gathered so far, issues' first (at the end of planning, or
    /// before anything that must follow them).
    public mutating func flush() -> [Planned] {
        Dataset.allCases.flatMap { flush($0) }
    }

    private mutating func flush(_ dataset: Dataset) -> [Planned] {
        guard let members = open.removeValue(forKey: dataset)?.members else { return [] }
        switch members.count {
        case 0: return []
        case 1: return [.task(members[0])]
        default: return [.group(SilverTaskGroup(members: members))]
        }
    }
}
