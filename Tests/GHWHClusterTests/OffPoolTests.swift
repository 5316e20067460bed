import Foundation
import Testing

/// `offPool` runs a test's blocking body on a thread of its own. It ran it on a
/// bare Thread, outside the test's task: a failed expectation there was
/// reported as Test «unknown» and the test itself passed.
@Suite struct OffPoolTests {
    @Test func aFailureInsideOffPoolBelongsToTheTest() async {
        await withKnownIssue("recorded inside offPool, so it must be this test's") {
            try await offPool { #expect(Bool(false), "inside offPool") }
        }
    }

    @Test func theBodyRunsOffTheCooperativePoolAndReturnsItsValue() async throws {
        let thread = try await offPool { UInt(pthread_self()) }
        #expect(DedicatedThreadExecutor.startedThreads.withLock { $0.contains(thread) }, "a thread of its own")
        #expect(try await offPool { 6 * 7 } == 42)
    }
}
