import Foundation

/// Process-wide settings applied before any command runs.
public enum ProcessSetup {
    public static func configure() {
        #if os(Linux)
        // Task payloads are MB-sized buffers allocated on one thread and freed
        // on another. glibc's adaptive mmap threshold would move them into
        // per-thread arenas that never shrink (hundreds of MB of RSS); a fixed
        // threshold keeps them mmapped, so freeing returns the memory.
        // mallopt is not exported to Swift; look it up (M_MMAP_THRESHOLD = -3).
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        if let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, "mallopt") {
            _ = unsafeBitCast(symbol, to: Mallopt.self)(-3, 1 << 20)
        }
        #endif
    }
}
