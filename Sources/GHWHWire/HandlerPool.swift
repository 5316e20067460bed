import Foundation

/// A fixed set of dedicated threads running jobs in FIFO order. nng's aio callbacks must
/// not block, so they only enqueue here; the jobs themselves may block (libpq reads).
///
/// Every job comes with a `drop` that releases what it owns (an nng message) when the
/// pool stops before running it.
final class HandlerPool: @unchecked Sendable {
    struct Job {
        let run: () -> Void
        let drop: () -> Void
    }

    private let cond = NSCondition()
    private var queue: [Job] = []
    private var head = 0
    private var stopping = false
    private var threads: [JoinableThread] = []
    /// pthread ids of the pool's threads: `stop()` must not join the thread it runs on.
    private var members: Set<UInt> = []

    init(threads count: Int, name: String) {
        threads = (0..<count).map { i in
            // Strong: a thread that closed its own server may outlive everyone else's reference.
            JoinableThread(name: "\(name)-\(i)") { self.work() }
        }
    }

    /// Enqueues a job (never blocks on anything but the queue's own lock, so nng callbacks
    /// may call it). Returns false, after calling `job.drop()`, when the pool is stopping.
    @discardableResult
    func submit(_ job: Job) -> Bool {
        cond.lock()
        guard !stopping else {
            cond.unlock()
            job.drop()
            return false
        }
        queue.append(job)
        cond.signal()
        cond.unlock()
        return true
    }

    func submit(_ run: @escaping () -> Void) { submit(Job(run: run, drop: {})) }

    /// True on one of this pool's threads.
    var isCurrentThreadMember: Bool {
        cond.lock()
        defer { cond.unlock() }
        return members.contains(UInt(pthread_self()))
    }

    /// Drops the jobs not yet started and joins the threads (the one running a job now
    /// finishes it first). Called from a pool thread, it does not wait for that thread.
    func stop() {
        cond.lock()
        stopping = true
        let dropped = queue[head...]
        queue.removeAll()
        head = 0
        let me = UInt(pthread_self())
        let joinSelfToo = !members.contains(me)
        cond.broadcast()
        cond.unlock()
        for job in dropped { job.drop() }
        // A thread that has not yet registered cannot be the caller, so joining it is safe.
        if joinSelfToo {
            for t in threads { t.join() }
        } else {
            // The caller is a member: join the others by waiting until only it is left.
            cond.lock()
            while members.count > 1 || !members.contains(me) { cond.wait() }
            cond.unlock()
        }
    }

    private func work() {
        let me = UInt(pthread_self())
        cond.lock()
        members.insert(me)
        cond.unlock()
        while true {
            cond.lock()
            while head == queue.count && !stopping { cond.wait() }
            if stopping {
                members.remove(me)
                cond.broadcast()
                cond.unlock()
                return
            }
            let job = queue[head]
            head += 1
            if head == queue.count || head >= 1024 {
                queue.removeFirst(head)
                head = 0
            }
            cond.unlock()
            job.run()
        }
    }
}
