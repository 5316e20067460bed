import Foundation
import GHWHProcess
import Testing

@testable import GHWHWire

/// A self-signed certificate for CN/SAN "localhost", made with the openssl command line.
struct SelfSignedCert {
    let cert: String
    let key: String

    init(name: String) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
            "ghwh-tls-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        cert = dir.appendingPathComponent("\(name).crt").path
        key = dir.appendingPathComponent("\(name).key").path
        // Its output (progress dots) is captured and dropped.
        let result = try runProcess(
            "/usr/bin/openssl",
            [
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=localhost",
                "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
            ])
        guard result.succeeded else { throw WireError.malformed("openssl exited \(result.exitStatus)") }
    }
}

@Suite(.serialized) struct TLSTests {
    @Test func requestReplyOverTLS() throws {
        let server = try SelfSignedCert(name: "server")
        let rr = try RequestServer(
            url: "tls+tcp://127.0.0.1:0", secret: TestEnv.secret, limits: TestEnv.limits, senderId: "c",
            tls: TLSConfig(certificateFile: server.cert, keyFile: server.key),
            onRejected: { _ in }, handler: { env in (2, env.payload) })
        defer { rr.close() }
        let port = try #require(rr.boundPort)
        let client = try RequestClient(
            url: "tls+tcp://127.0.0.1:\(port)", secret: TestEnv.secret, limits: TestEnv.limits,
            senderId: "w", options: RequestClientOptions(tls: TLSConfig(caFile: server.cert, serverName: "localhost")))
        defer { client.close() }
        let payload = [UInt8](repeating: 0xAB, count: 200_000)
        #expect(try client.call(type: 1, payload: payload, timeout: 10).payload == payload)
    }

    @Test func untrustedServerCertificateIsNeverReached() throws {
        let server = try SelfSignedCert(name: "server")
        let stranger = try SelfSignedCert(name: "stranger")
        let handled = Collected<Int>()
        let rr = try RequestServer(
            url: "tls+tcp://127.0.0.1:0", secret: TestEnv.secret, limits: TestEnv.limits, senderId: "c",
            tls: TLSConfig(certificateFile: server.cert, keyFile: server.key),
            onRejected: { _ in },
            handler: { env in
                handled.add(1)
                return (2, env.payload)
            })
        defer { rr.close() }
        let client = try RequestClient(
            url: "tls+tcp://127.0.0.1:\(rr.boundPort!)", secret: TestEnv.secret, limits: TestEnv.limits,
            senderId: "w", options: RequestClientOptions(tls: TLSConfig(caFile: stranger.cert, serverName: "localhost"))
        )
        defer { client.close() }
        #expect(throws: WireError.timedOut) { _ = try client.call(type: 1, payload: [1], timeout: 1) }
        #expect(handled.all.isEmpty)
    }

    @Test func tlsListenerWithoutCertificateFailsClearly() throws {
        guard
            case .malformed(let why) = wireError({
                _ = try RequestServer(
                    url: "tls+tcp://127.0.0.1:0", secret: TestEnv.secret, limits: TestEnv.limits, senderId: "c",
                    tls: TLSConfig(), onRejected: { _ in }, handler: { env in (2, env.payload) })
            })
        else {
            Issue.record("expected malformed")
            return
        }
        #expect(why.contains("needs certificateFile and keyFile"))
    }

    @Test func hostIsTakenFromURL() {
        #expect(TLSConfig.host(of: "tls+tcp://coordinator.local:7077") == "coordinator.local")
        #expect(TLSConfig.host(of: "tls+tcp://[::1]:7077") == "::1")
    }
}
