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
    private var members: [SilverTask] = []
    private var bytes = 0

    public init(chunkBytes: Int, maxMembers: Int = Self.defaultMaxMembers) {
        self.chunkBytes = chunkBytes
        self.maxMembers = max(1, maxMembers)
    }

    /// Documents waiting for their group to fill.
    public var waiting: Int { members.count }

    /// Takes a whole-document task of `size` bytes of JSON; returns what is ready to emit, in order.
    public mutating func add(_ task: SilverTask, size: Int) -> [Planned] {
        if size * Self.largeFraction >= chunkBytes { return flush() + [.task(task)] }
        var ready: [Planned] = []
        if let first = members.first,
            first.dataset != task.dataset || bytes + size > chunkBytes || members.count >= maxMembers
        {
            ready = flush()
        }
        members.append(task)
        bytes += size
        return ready
    }

    /// The group gathered so far (at the end of planning, or before anything that must follow it).
    public mutating func flush() -> [Planned] {
        defer {
            members = []
            bytes = 0
        }
        switch members.count {
        case 0: return []
        case 1: return [.task(members[0])]
        default: return [.group(SilverTaskGroup(members: members))]
        }
    }
}
