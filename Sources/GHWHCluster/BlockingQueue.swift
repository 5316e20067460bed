import Foundation

/// A bounded FIFO handing values between threads (planner -> workers ->
/// loader). Blocking on purpose: its users are dedicated threads, never
/// Swift's cooperative pool. `close()` wakes everyone; `pop` then drains what
/// is left and returns nil.
public final class BlockingQueue<Element: Sendable>: @unchecked Sendable {
    /// Popped slots are set to nil at once so their values (MBs of records) are freed.
    private var items: [Element?] = []
    private var head = 0
    private var closed = false
    private let capacity: Int
    private let condition = NSCondition()

    public init(capacity: Int = .max) {
        precondition(capacity > 0)
        self.capacity = capacity
    }

    /// Blocks while full. Returns false if the queue was closed.
    @discardableResult
    public func push(_ item: Element) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while !closed && items.count - head >= capacity { condition.wait() }
        if closed { return false }
        items.append(item)
        condition.broadcast()
        return true
    }

    /// Blocks while empty. Returns nil once closed and drained.
    public func pop() -> Element? { popBatch(max: 1).first }

    /// Blocks while empty, then takes up to `max` items at once. Returns an
    /// empty array once closed and drained.
    public func popBatch(max: Int) -> [Element] {
        condition.lock()
        defer { condition.unlock() }
        while items.count == head && !closed { condition.wait() }
        var batch: [Element] = []
        while head < items.count && batch.count < max {
            batch.append(items[head]!)
            items[head] = nil
            head += 1
        }
        if head > 64 && head * 2 > items.count {
            items.removeFirst(head)
            head = 0
        }
        condition.broadcast()
        return batch
    }

    public func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    public var count: Int {
        condition.lock()
        defer { condition.unlock() }
        return items.count - head
    }
}
