import GHWHModel

/// How the loader cuts its queue into transactions and each transaction into
/// bulk operations (a plain value: decided without a database). Small
/// documents arrive as long runs of file bookkeeping and one-task results;
/// each run becomes a few statements instead of a dozen per document.
public enum LoaderBatching {
    /// Most messages, and bytes of them, one transaction commits.
    public static let maxMessagesPerTransaction = 4096
    public static let maxBytesPerTransaction = 16 << 20

    /// Consecutive groups of `sizes` (each message's byte count), one transaction each: the
    /// cut `LoaderPipeline` makes one transaction at a time (`isFull`), stated whole.
    public static func transactions(sizes: [Int]) -> [Range<Int>] {
        var groups: [Range<Int>] = []
        var start = 0
        var bytes = 0
        for (i, size) in sizes.enumerated() {
            if isFull(messages: i - start, bytes: bytes, adding: size) {
                groups.append(start..<i)
                start = i
                bytes = 0
            }
            bytes += size
        }
        if start < sizes.count { groups.append(start..<sizes.count) }
        return groups
    }

    /// True when a transaction already holding `messages` messages of `bytes` bytes (at
    /// least one) has no room for one more of `size` bytes.
    public static func isFull(messages: Int, bytes: Int, adding size: Int) -> Bool {
        messages > 0 && (messages >= maxMessagesPerTransaction || bytes + size > maxBytesPerTransaction)
    }

    /// One step of a transaction.
    public enum Step: Sendable {
        /// Applied on its own, as it always was.
        case single(LoaderMessage)
        /// Files begun and sealed: every begin first, then every seal. No path
        /// appears twice, and no path is begun after it was sealed, so this
        /// order leaves what the messages' order leaves (each touches only its file).
        case files(begins: [LoaderMessage], seals: [LoaderMessage])
        /// Results that are each a whole document, committed together; no task
        /// or document appears twice.
        case wholeDocuments([LoaderMessage])
    }

    /// Cuts `messages` into steps that keep their order's meaning.
    public static func steps(_ messages: [LoaderMessage]) -> [Step] {
        var steps: [Step] = []
        var i = 0
        while i < messages.count {
            if let (step, next) = fileRun(messages, from: i) ?? resultRun(messages, from: i) {
                steps.append(step)
                i = next
            } else {
                steps.append(.single(messages[i]))
                i += 1
            }
        }
        return steps
    }

    private struct FileKey: Hashable {
        var dataset: Dataset
        var path: String
    }

    /// The run of two or more file messages starting at `start`, or nil.
    private static func fileRun(_ messages: [LoaderMessage], from start: Int) -> (Step, Int)? {
        var begins: [LoaderMessage] = []
        var seals: [LoaderMessage] = []
        var begun = Set<FileKey>()
        var sealed = Set<FileKey>()
        var i = start
        scan: while i < messages.count {
            switch messages[i] {
            case .beginFile(_, let dataset, let path, _, _, _, _):
                let key = FileKey(dataset: dataset, path: path)
                if begun.contains(key) || sealed.contains(key) { break scan }
                begun.insert(key)
                begins.append(messages[i])
            case .sealFile(let dataset, let path, _, _):
                let key = FileKey(dataset: dataset, path: path)
                if sealed.contains(key) { break scan }
                sealed.insert(key)
                seals.append(messages[i])
            default:
                break scan
            }
            i += 1
        }
        return i - start >= 2 ? (.files(begins: begins, seals: seals), i) : nil
    }

    /// The run of two or more whole-document results starting at `start`, or nil.
    private static func resultRun(_ messages: [LoaderMessage], from start: Int) -> (Step, Int)? {
        var tasks = Set<String>()
        var documents = Set<Int64>()
        var i = start
        while i < messages.count, case .result(let output, _) = messages[i], output.isWholeDocument,
            !tasks.contains(output.taskId), !documents.contains(output.documentId)
        {
            tasks.insert(output.taskId)
            documents.insert(output.documentId)
            i += 1
        }
        return i - start >= 2 ? (.wholeDocuments(Array(messages[start..<i])), i) : nil
    }
}
