import Foundation

/// Process-wide settings applied before any command runs.
public enum ProcessSetup {
    public static func configure() {
        // Line-buffer stdout: a container's log collector (or systemd) reads a pipe,
        // and with full buffering the coordinator's "listening on" lines would only
        // appear when the process exits.
        // (`stdout` is a C global Swift 6 will not touch; its address comes from the C library.)
        if let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, "stdout") {
            setvbuf(symbol.load(as: UnsafeMutablePointer<FILE>.self), nil, _IOLBF, 0)
        }
        #if os(Linux)
            // Every task moves MB-sized buffers (a record chunk, its frame, nng's
            // copy). With glibc's defaults each one is a fresh mmap whose pages
            // fault in one by one and are zeroed, then unmapped: measured, that was
            // a third of the coordinator's and workers' CPU (kernel time) in a
            // cluster run. Keep them on the heap, keep freed memory for reuse
            // (trim only above 256 MB free), and cap the arenas at 2 so memory
            // freed on one thread is reused by the next allocation on another.
            // RSS then sits at the working set's peak (read-ahead bounded) instead
            // of rising and falling with every task.
            // mallopt is not exported to Swift; look it up.
            typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
            if let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, "mallopt") {
                let mallopt = unsafeBitCast(symbol, to: Mallopt.self)
                _ = mallopt(-3, 256 << 20)  // M_MMAP_THRESHOLD: above any frame (64 MB limit by default)
                _ = mallopt(-1, 256 << 20)  // M_TRIM_THRESHOLD
                _ = mallopt(-8, 2)  // M_ARENA_MAX
            }
        #endif
    }
}
