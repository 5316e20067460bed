import Foundation
import GHWHCluster
import GHWHProcess
import Testing

/// What docker-compose-cluster.yml would run, run here as local processes:
/// the same role commands (read from the compose file), the production config
/// file, the database and secret from the environment.
@Suite(.serialized) struct DeploymentTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..")
        .standardizedFileURL.path

    /// The `command:` array of a compose service (they are written as JSON arrays).
    static func composeCommand(_ service: String) throws -> [String] {
        let text = try String(contentsOfFile: root + "/docker-compose-cluster.yml", encoding: .utf8)
        var inService = false
        for line in text.split(separator: "\n") {
            if line.hasPrefix("  ") && !line.hasPrefix("   ") {
                inService = line.trimmingCharacters(in: .whitespaces) == "\(service):"
            }
            if inService, let r = line.range(of: "command: ") {
                let json = String(line[r.upperBound...])
                return try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String])
            }
        }
        throw TestFailure("no command for service \(service) in docker-compose-cluster.yml")
    }

    /// `deploy/wait-cluster.sh` against a stub engine: restarts from before the wait
    /// do not count (issue 12, defect 2: a healthy cluster was refused once any
    /// container had restarted 3 times in its life); 3 restarts during the wait do.
    @Test func waitClusterCountsOnlyRestartsDuringTheWait() throws {
        let stub = try Fixtures.tempDir("engine")
        try Fixtures.write(
            """
            #!/usr/bin/env bash
            # docker inspect --format FORMAT ID
            id="$4"
            case "$3" in
              *RestartCount*)
                n=$(cat "\(stub)/restarts-$id" 2>/dev/null || echo 0)
                if [ -f "\(stub)/grow-$id" ]; then echo $((n + 1)) > "\(stub)/restarts-$id"; fi
                echo "$n" ;;
              *Health*) echo healthy ;;
              *) if [ -f "\(stub)/grow-$id" ]; then echo restarting; else echo running; fi ;;
            esac
            """, to: stub + "/docker")
        try Fixtures.write(
            """
            #!/usr/bin/env bash
            # compose ps -q [SERVICE] | compose ps | compose logs ...
            if [ "$1" = ps ] && [ "${2:-}" = -q ]; then
              if [ -n "${3:-}" ]; then echo "c-$3"; else printf 'c-%s\\n' postgres coordinator loader worker; fi
            fi
            """, to: stub + "/compose")
        for name in ["docker", "compose"] { #expect(chmod(stub + "/" + name, 0o755) == 0) }
        func wait() throws -> (status: Int32, output: String) {
            var env = ProcessInfo.processInfo.environment
            env["PATH"] = stub + ":" + (env["PATH"] ?? "/usr/bin:/bin")
            env["WAIT_CLUSTER_POLL"] = "0.05"
            return try Fixtures.runToEnd(
                "/bin/bash", [Self.root + "/deploy/wait-cluster.sh", "20", stub + "/compose"],
                environment: env)
        }
        // A worker that restarted 5 times before this deploy and is running now: up.
        try Fixtures.write("5\n", to: stub + "/restarts-c-worker")
        let old = try wait()
        #expect(old.status == 0 && old.output.contains("cluster is up"), "\(old.output)")
        // A loader in a crash loop (restarting, its count rising) while we wait: refused, naming it.
        try Fixtures.write("1\n", to: stub + "/restarts-c-loader")
        try Fixtures.write("", to: stub + "/grow-c-loader")
        let looping = try wait()
        #expect(looping.status == 1, "\(looping.output)")
        #expect(
            looping.output.contains("loader container c-loader restarted 3 times during this wait"), "\(looping.output)"
        )
    }

    @Test func composeRolesRunAsLocalProcessesWithTheProductionConfig() throws {
        let (raw, expected) = try ClusterTests.treeAndExpected(seed: 41)
        let db = try Fixtures.database()
        let cluster = try ClusterHarness(conninfo: db, raw: raw)
        defer { cluster.stopAll() }
        // The coordinator binds port 0 for both and says which in its ready file; the
        // other roles then get the cluster's URL.
        func local(_ args: [String]) -> [String] {
            args.map {
                ($0 == "tcp://coordinator:7077" ? cluster.url : $0)  // only once the coordinator is ready
                    .replacingOccurrences(of: "tcp://0.0.0.0:7077", with: "tcp://127.0.0.1:0")
                    .replacingOccurrences(of: "0.0.0.0:8080", with: "127.0.0.1:0")
                    .replacingOccurrences(of: "/data/raw", with: raw)
                    .replacingOccurrences(of: "${GHWH_WORKER_CORES:-2}", with: "2")
            }
        }
        let env = ["GHWH_CONFIG": Self.root + "/config/production.conf", "GHWH_DATABASE_URL": db]
        let coordinator = local(try Self.composeCommand("coordinator"))
        #expect(coordinator.first == "coordinator" && coordinator.contains("--ui-listen"))
        try cluster.start(
            "coordinator", coordinator + ["--ready-file", cluster.readyFile("coordinator")], environment: env)
        try cluster.waitUntilReady("coordinator")
        let uiPort = try #require(cluster.uiPort)
        try cluster.start("loader", local(try Self.composeCommand("loader")), environment: env)
        try cluster.start("worker", local(try Self.composeCommand("worker")), environment: env)

        // The compose health check, run the same way.
        try cluster.waitFor("the health check", timeout: 30) {
            try runProcess(ClusterHarness.binary, ["health", "--url", "http://127.0.0.1:\(uiPort)/healthz"]).succeeded
        }
        let status = try cluster.runJob()
        #expect(status.state == .succeeded, "\(status)\n\(cluster.log("coordinator").suffix(2000))")
        #expect(try ClusterTests.tables(db) == expected)
    }

    /// Compose file, Dockerfile, config examples, systemd units and k8s
    /// manifests all parse and reference only known settings.
    @Test func deploymentFilesValidate() throws {
        // --check-only: a missing tool fails, naming `make deps`; a test never installs packages.
        // The config checks run `ghwh config check`: this build's binary (never `swift build` under `swift test`).
        let result = try runProcess(
            "/bin/bash", [Self.root + "/scripts/validate-deploy.sh", "--check-only", Self.root],
            environment: ChildProcess.environment(overriding: ["GHWH": ClusterHarness.binary]))
        let out = result.output
        #expect(result.exitStatus == 0, "\(out.suffix(3000))")
        #expect(out.contains("docker-compose") && out.contains("k8s") && out.contains("systemd"))
        #expect(out.contains("config: config/production.conf: ok (every key)"), "\(out.suffix(3000))")
    }
}
