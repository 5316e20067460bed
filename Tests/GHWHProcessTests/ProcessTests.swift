import Foundation
import GHWHProcess
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

@Suite struct RunProcessTests {
    @Test func statusAndOutputOfAFinishedProgram() throws {
        let result = try runProcess("/bin/sh", ["-c", "echo hi; echo err >&2; exit 3"])
        #expect(result.exitStatus == 3)
        #expect(!result.succeeded)
        #expect(result.output == "hi\nerr\n")
        #expect(result.summary.hasPrefix("`/bin/sh -c echo hi; echo err >&2; exit 3` exited with status 3"))
    }

    @Test func environmentAndDirectory() throws {
        let result = try runProcess(
            "/bin/sh", ["-c", "echo \"$GHWH_X\"; pwd"], environment: ["GHWH_X": "y", "PATH": "/usr/bin:/bin"],
            currentDirectory: "/tmp")
        #expect(result.output == "y\n/tmp\n")
    }

    @Test func aSignalIsReportedTheShellsWay() throws {
        #expect(try runProcess("/bin/sh", ["-c", "kill -9 $$"]).exitStatus == 128 + SIGKILL)
    }

    @Test func aMissingProgramThrows() {
        #expect(throws: ProcessError.self) { try runProcess("/nonexistent/program", []) }
    }

    /// A descriptor of ours above 2 without close-on-exec must not reach the child (a daemon
    /// it starts would keep it open).
    @Test func aDescriptorAbove2IsNotInherited() throws {
        try withLeakyDescriptor { fd in
            let check = "[ -e /proc/self/fd/\(fd) ] && echo inherited || echo closed"
            #expect(try runProcess("/bin/sh", ["-c", check]).output == "closed\n")
            let child = try ChildProcess.spawn("/bin/sh", ["-c", check], standardOutput: .pipe)
            let text = String(decoding: child.standardOutput!.readDataToEndOfFile(), as: UTF8.self)
            #expect(child.waitForExit(timeout: 30) == .exited(0))
            #expect(text == "closed\n")
        }
    }
}

@Suite struct ChildProcessTests {
    /// A parent that ignores SIGTERM (as one watching it with a DispatchSource must) does not
    /// pass that on: ignored signals survive exec, and the child could then not be stopped.
    @Test func aChildOfAParentIgnoringSIGTERMStillEndsOnIt() throws {
        let previous = signal(SIGTERM, SIG_IGN)
        defer { signal(SIGTERM, previous) }
        let child = try ChildProcess.spawn("/bin/sleep", ["30"])
        child.terminate()
        #expect(child.waitForExit(timeout: 10) == .signaled(SIGTERM))
        child.kill()
        child.waitForExit()
    }

    @Test func terminateEndsItAndTheStatusNamesTheSignal() throws {
        let child = try ChildProcess.spawn("/bin/sleep", ["30"])
        #expect(child.pid > 0)
        #expect(child.isRunning)
        child.terminate()
        #expect(child.waitForExit(timeout: 30) == .signaled(SIGTERM))
        #expect(!child.isRunning)
        #expect(child.exitStatus?.code == 128 + SIGTERM)
        #expect(child.maxResidentKilobytes != nil)
        child.kill()  // reaped: a no-op, never a signal to a reused pid
    }

    @Test func waitForExitTimesOutWhileItRuns() throws {
        let child = try ChildProcess.spawn("/bin/sleep", ["30"])
        defer {
            child.kill()
            child.waitForExit()
        }
        let started = Date()
        #expect(child.waitForExit(timeout: 0.3) == nil)
        #expect(Date().timeIntervalSince(started) >= 0.3)
        #expect(child.isRunning)
        #expect(child.exitStatus == nil)
        child.kill()
        #expect(child.waitForExit(timeout: 30) == .signaled(SIGKILL))
    }

    @Test func outputToAFileAndAPipe() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ghwh-proc-\(UUID()).log").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let toFile = try ChildProcess.spawn(
            "/bin/sh", ["-c", "echo out; echo err >&2; exit 4"], standardOutput: .file(path))
        #expect(toFile.waitForExit(timeout: 30) == .exited(4))
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "out\nerr\n")

        let split = try ChildProcess.spawn(
            "/bin/sh", ["-c", "echo out; echo err >&2"], standardOutput: .pipe, standardError: .discard)
        #expect(String(decoding: split.standardOutput!.readDataToEndOfFile(), as: UTF8.self) == "out\n")
        #expect(split.standardError == nil)
        #expect(split.waitForExit(timeout: 30) == .exited(0))
    }

    @Test func environmentOverridesKeepTheRest() throws {
        setenv("GHWH_PROCESS_TEST_KEPT", "kept", 1)
        let environment = ChildProcess.environment(overriding: ["GHWH_PROCESS_TEST_SET": "set"], removing: ["HOME"])
        let child = try ChildProcess.spawn(
            "/bin/sh", ["-c", "echo $GHWH_PROCESS_TEST_KEPT $GHWH_PROCESS_TEST_SET ${HOME:-none}"],
            environment: environment, currentDirectory: "/", standardOutput: .pipe)
        #expect(String(decoding: child.standardOutput!.readDataToEndOfFile(), as: UTF8.self) == "kept set none\n")
        #expect(child.waitForExit(timeout: 30) == .exited(0))
    }

    @Test func blockedSignalsStartBlocked() throws {
        let child = try ChildProcess.spawn("/bin/sleep", ["30"], blockedSignals: [SIGTERM])
        defer {
            child.kill()
            child.waitForExit()
        }
        child.terminate()
        #expect(child.waitForExit(timeout: 0.5) == nil, "SIGTERM was blocked, so sleep keeps sleeping")
        child.kill()
        #expect(child.waitForExit(timeout: 30) == .signaled(SIGKILL))
    }

    /// A dropped handle still gets its child reaped: no zombie stays behind.
    @Test func aDroppedHandleLeavesNoZombie() throws {
        var child: ChildProcess? = try ChildProcess.spawn("/bin/sleep", ["0.2"])
        let pid = try #require(child?.pid)
        child = nil
        let deadline = Date().addingTimeInterval(30)
        while kill(pid, 0) == 0 && Date() < deadline { usleep(20_000) }
        #expect(kill(pid, 0) == -1 && errno == ESRCH, "pid \(pid) still exists (a zombie?)")
    }
}

/// Runs `body` with a descriptor above 2 that lacks close-on-exec.
private func withLeakyDescriptor(_ body: (Int32) throws -> Void) throws {
    let fd = open("/dev/null", O_RDONLY)
    try #require(fd >= 0)
    let high = dup2(fd, 200)
    close(fd)
    try #require(high == 200 && fcntl(high, F_GETFD) & FD_CLOEXEC == 0)
    defer { close(high) }
    try body(high)
}

@Suite struct ProcessCPUTests {
    /// A line as Linux writes it, with a command name holding spaces and a parenthesis.
    @Test func readsUserAndSystemTimesOfTheProcessAndItsReapedChildren() throws {
        let line = "4242 (postgres: a) b) S 17 4242 4242 0 -1 4194560 900 0 0 0 250 50 700 100 20 0 1 0 123 456789 1200"
        let cpu = try #require(ProcessCPU(statLine: line[...], ticksPerSecond: 100))
        #expect(cpu.ppid == 17)
        #expect(cpu.seconds == 3.0)  // utime 250 + stime 50 ticks
        #expect(cpu.reapedChildrenSeconds == 8.0)  // cutime 700 + cstime 100 ticks
    }

    @Test func aBusyProcessShowsItsUserTime() throws {
        let before = try #require(ProcessCPU(pid: Int(getpid())))
        var x: UInt64 = 1
        let start = clock()
        while clock() - start < clock_t(CLOCKS_PER_SEC / 5) { x = x &* 6_364_136_223_846_793_005 &+ 1 }
        let after = try #require(ProcessCPU(pid: Int(getpid())))
        #expect(x != 0)
        // 0.2 s of user time spent above; ticks are 10 ms.
        #expect(after.seconds - before.seconds >= 0.15)
        #expect(ProcessCPU(pid: 999_999_999) == nil)
    }
}

@Suite struct ProcessMemoryTests {
    /// Linux writes the value after a tab and padding spaces.
    @Test func readsVmHWMFromAStatusText() {
        let status = "Name:\tghwh\nVmPeak:\t  812345 kB\nVmHWM:\t  263100 kB\nVmRSS:\t  100 kB\n"
        #expect(ProcessMemory.peakKilobytes(status: status) == 263_100)
        #expect(ProcessMemory.peakKilobytes(status: "Name:\tghwh\n") == nil)
    }

    @Test func thisProcessHasAPeak() throws {
        let peak = try #require(ProcessMemory.peakKilobytes(pid: Int(getpid())))
        #expect(peak > 1000)
        #expect(ProcessMemory.peakKilobytes(pid: 999_999_999) == nil)
    }
}
