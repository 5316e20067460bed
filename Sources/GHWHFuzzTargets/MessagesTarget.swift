import Foundation
import GHWHCluster
import GHWHWire

/// Every cluster message type (Protocol.swift, Messages.swift).
///
/// Input: byte 0 picks the message type (mod 19, in `MessageType` order); the rest is the payload.
///
/// Properties: decoding fails only with a `WireError` or a `DecodingError` (JSON messages);
/// a decoded message re-encodes (as one array and as parts, the same bytes) to a payload that
/// decodes again, to the same message (compared structurally: strings byte for byte, doubles
/// by bit pattern, dictionaries and sets in any order) and, for the binary types, to the
/// very same bytes; and it survives a sealed frame and `Envelope.decode`. (JSON is compared
/// structurally only: Foundation's JSONEncoder on Linux writes an object's keys in hash
/// order, which differs between two encodings of the same value.)
/// The first re-encoding may differ from the input (varints have several spellings, JSON has
/// whitespace, a failed document's result drops the task's records), never the second.
enum MessagesTarget {
    static let target = FuzzTarget.messages

    /// The message types in `MessageType` order; `true` when the encoding is byte-stable
    /// (binary all through; `LoaderWork` carries a job summary as JSON).
    static let types: [(any WireMessage.Type, Bool)] = [
        (RegisterWorker.self, false), (Registered.self, false), (Heartbeat.self, false), (HeartbeatReply.self, false),
        (RequestTask.self, false), (TaskAssignment.self, true), (SubmitResult.self, true), (Ack.self, false),
        (ReportTaskFailure.self, false), (FetchLoaderWork.self, false), (LoaderWork.self, false),
        (AckLoaderWork.self, false), (ReportLoaderError.self, false), (SubmitJob.self, false),
        (JobAccepted.self, false),
        (GetJobStatus.self, false), (JobStatus.self, false), (KillJob.self, false), (ReleaseTasks.self, false),
    ]

    static func run(_ input: [UInt8]) {
        var cursor = ByteCursor(input)
        let index = Int(cursor.byte()) % types.count
        let (type, stable) = types[index]
        check(type.typeCode == UInt16(index + 1), target, "\(type) is not in MessageType order")
        roundTrip(type, cursor.rest(), byteStable: stable)
    }

    static func roundTrip<M: WireMessage>(_ type: M.Type, _ payload: [UInt8], byteStable: Bool) {
        let message: M
        do {
            message = try M.decoded(from: payload)
        } catch {
            check(
                error is WireError || error is DecodingError, target,
                "decoding \(M.self) threw \(Swift.type(of: error)): \(error)")
            return
        }
        let first = message.encoded()
        let parts = message.encodedPayload().joined()
        let second: M
        do { second = try M.decoded(from: first) } catch {
            violated(
                target,
                "\(M.self) decoded from \(payload.hexPrefix()) re-encodes to \(first.hexPrefix()), which does not decode: \(error)"
            )
        }
        let again = second.encoded()
        if byteStable {
            check(again == first, target, "\(M.self) re-encodes to \(first.hexPrefix()), then to \(again.hexPrefix())")
        }
        let third: M
        do { third = try M.decoded(from: again) } catch {
            violated(target, "\(M.self): second re-encoding does not decode: \(error)")
        }
        let a = canonical(second)
        let b = canonical(third)
        check(a == b, target, "\(M.self) changes across a round trip: \(a.prefix(600)) vs \(b.prefix(600))")
        if byteStable {
            check(parts == first, target, "\(M.self): encodedPayload and encoded differ")
        } else {
            check(
                (try? M.decoded(from: parts)).map(canonical) == a, target,
                "\(M.self): encodedPayload decodes to another message")
        }

        // Through an authenticated frame, as the cluster sends it.
        let frame: [UInt8]
        do {
            frame = try FrameCodec.seal(
                type: M.typeCode, payload: first, sender: "fuzz", sequence: 1, secret: FrameTarget.secret)
        } catch {
            violated(target, "sealing a \(first.count)-byte \(M.self) failed: \(error)")
        }
        do {
            let envelope = try FrameCodec.open(frame, secret: FrameTarget.secret, limits: FrameTarget.limits)
            let opened = try envelope.decode(M.self)
            check(canonical(opened) == a, target, "\(M.self) changes through a frame")
        } catch {
            violated(target, "\(M.self) does not survive a frame: \(error)")
        }
    }

    /// A structural rendering: strings as UTF-8 hex, doubles as bit patterns, dictionary and
    /// set elements sorted, everything else by its reflected children.
    static func canonical(_ value: Any) -> String {
        if let s = value as? String { return "s\"" + Array(s.utf8).hexPrefix(.max) + "\"" }
        if let d = value as? Double { return "d\(d.bitPattern)" }
        let mirror = Mirror(reflecting: value)
        let children = mirror.children.map { ($0.label ?? "", canonical($0.value)) }
        switch mirror.displayStyle {
        case .dictionary?, .set?:
            return "{" + children.map(\.1).sorted().joined(separator: ",") + "}"
        case .optional?:
            return children.first.map { "?" + $0.1 } ?? "nil"
        case .enum?:
            guard let (label, payload) = children.first else { return "\(Swift.type(of: value)).\(value)" }
            return "\(Swift.type(of: value)).\(label)(\(payload))"
        default:
            if children.isEmpty { return "\(Swift.type(of: value)):\(value)" }
            return "(" + children.map { "\($0.0):\($0.1)" }.joined(separator: ",") + ")"
        }
    }
}

extension MessagesTarget {
    /// True when the input's payload decodes as its message type (seeds must, to reach deep).
    static func decodes(_ input: [UInt8]) -> Bool {
        var cursor = ByteCursor(input)
        let (type, _) = types[Int(cursor.byte()) % types.count]
        func attempt<M: WireMessage>(_: M.Type, _ payload: [UInt8]) -> Bool { (try? M.decoded(from: payload)) != nil }
        return attempt(type, cursor.rest())
    }
}
