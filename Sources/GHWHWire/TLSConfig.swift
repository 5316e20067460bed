import CNNG
import Foundation

/// TLS for `tls+tcp://` URLs (nng built with mbedTLS). Files are PEM.
///
/// Server (listener): `certificateFile` + `keyFile` required; with `caFile` it also
/// requires and verifies client certificates. Client (dialer): with `caFile` the server's
/// certificate is verified against it (and `serverName`, default the URL's host); without
/// `caFile` the link is encrypted but the server is not verified — the frame HMAC still
/// authenticates every message. A client certificate is sent when `certificateFile` + `keyFile` are set.
public struct TLSConfig: Sendable, Equatable {
    public var certificateFile: String?
    public var keyFile: String?
    public var caFile: String?
    public var serverName: String?

    public init(
        certificateFile: String? = nil, keyFile: String? = nil, caFile: String? = nil, serverName: String? = nil
    ) {
        self.certificateFile = certificateFile
        self.keyFile = keyFile
        self.caFile = caFile
        self.serverName = serverName
    }

    /// Allocates an nng TLS config; the caller frees it with `nng_tls_config_free` after
    /// handing it to a dialer/listener (which hold their own reference).
    func makeNNGConfig(server: Bool, url: String) throws(WireError) -> OpaquePointer {
        var cfg: OpaquePointer?
        try nngCheck(
            nng_tls_config_alloc(&cfg, server ? NNG_TLS_MODE_SERVER : NNG_TLS_MODE_CLIENT), "nng_tls_config_alloc")
        guard let cfg else { throw WireError.nng("nng_tls_config_alloc", 0, "returned no config") }
        do throws(WireError) {
            if let certificateFile {
                guard let keyFile else {
                    throw WireError.malformed("TLS certificateFile \(certificateFile) given without keyFile")
                }
                let cert = try Self.readPEM(certificateFile, "certificate")
                let key = try Self.readPEM(keyFile, "private key")
                try nngCheck(
                    nng_tls_config_own_cert(cfg, cert, key, nil),
                    "nng_tls_config_own_cert(\(certificateFile), \(keyFile))")
            } else if server {
                throw WireError.malformed("TLS listener on \(url) needs certificateFile and keyFile")
            }
            if let caFile {
                try nngCheck(nng_tls_config_ca_file(cfg, caFile), "nng_tls_config_ca_file(\(caFile))")
                try nngCheck(nng_tls_config_auth_mode(cfg, NNG_TLS_AUTH_MODE_REQUIRED), "nng_tls_config_auth_mode")
            } else {
                try nngCheck(nng_tls_config_auth_mode(cfg, NNG_TLS_AUTH_MODE_NONE), "nng_tls_config_auth_mode")
            }
            if !server, let name = serverName ?? Self.host(of: url) {
                try nngCheck(nng_tls_config_server_name(cfg, name), "nng_tls_config_server_name(\(name))")
            }
            return cfg
        } catch {
            nng_tls_config_free(cfg)
            throw error
        }
    }

    private static func readPEM(_ path: String, _ what: String) throws(WireError) -> String {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw WireError.malformed("cannot read TLS \(what) file \(path)")
        }
        return text
    }

    /// Host part of "tls+tcp://host:port".
    static func host(of url: String) -> String? {
        guard let schemeEnd = url.range(of: "://") else { return nil }
        var rest = url[schemeEnd.upperBound...]
        if rest.hasPrefix("[") {  // [v6]:port
            guard let close = rest.firstIndex(of: "]") else { return nil }
            return String(rest[rest.index(after: rest.startIndex)..<close])
        }
        if let colon = rest.lastIndex(of: ":") { rest = rest[..<colon] }
        return rest.isEmpty ? nil : String(rest)
    }
}
