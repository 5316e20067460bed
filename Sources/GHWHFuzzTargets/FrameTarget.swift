import Crypto
import Foundation
import GHWHRandom
import GHWHWire

/// Frames (`FrameCodec`, `Authenticator`, digest tables) and the `ReplayGuard`.
///
/// Byte 0 picks the mode (mod 8; 4, 5 and 6 repeat 0, 1 and 2):
/// 0. raw: the rest is a frame; opening it fails with a `WireError` or agrees with the
///    reference reader (an HMAC can't be guessed, so this mostly checks the pre-MAC part).
/// 1. resealed: the rest is a frame without its MAC; the reference MAC (written from the
///    layout documented in Frame.swift) is appended. `open` must accept exactly the frames
///    the reference reader accepts, with the same fields. The MAC uses the digest table
///    wherever it can be read at all, so a table the code should refuse still authenticates.
/// 2. round trip: fields from the input are sealed; `open` gives them back; the frame is
///    byte-equal to the reference sealer's; a flipped bit, a cut or an extra byte is refused;
///    a frame with digested parts (from the reference sealer) opens to the joined payload.
/// 3. replay: a sequence of sealed frames (new, old, resent, stale, across the window) goes
///    through a `ReplayGuard`, which must decide as a model of its documented rules does;
///    with the clock moving (senders may then be forgotten), an exact frame must still be
///    accepted as new at most once, and a frame beyond the skew never.
/// 7. wire reader: a program of `WireReader` reads over the rest, read from a slice with a
///    non-zero start index (as messages are decoded in place): errors are `WireError`s, the
///    offset only moves forward within the input, and every value read is the bytes it
///    consumed (fixed-width and strings exactly, varints as a value that round-trips).
enum FrameTarget {
    static let target = FuzzTarget.frame
    static let secretText = "fuzz-cluster-secret-0123456789"
    static let secret = try! ClusterSecret(secretText)
    static let limits = FrameLimits()

    struct Fields: Equatable, CustomStringConvertible {
        var type: UInt16
        var flags: UInt16
        var sender: String
        var sequence: UInt64
        var timestamp: Int64
        var payload: [UInt8]

        init(type: UInt16, flags: UInt16, sender: String, sequence: UInt64, timestamp: Int64, payload: [UInt8]) {
            self.type = type
            self.flags = flags
            self.sender = sender
            self.sequence = sequence
            self.timestamp = timestamp
            self.payload = payload
        }

        init(_ e: Envelope) {
            self.init(
                type: e.type, flags: e.flags, sender: e.sender, sequence: e.sequence, timestamp: e.timestamp,
                payload: e.payload)
        }

        static func == (a: Fields, b: Fields) -> Bool {
            a.type == b.type && a.flags == b.flags && Array(a.sender.utf8) == Array(b.sender.utf8)
                && a.sequence == b.sequence && a.timestamp == b.timestamp && a.payload == b.payload
        }

        var description: String {
            "type \(type) flags \(flags) sender \(sender.debugDescription) seq \(sequence) ts \(timestamp) payload \(payload.hexPrefix(32))"
        }
    }

    static func run(_ input: [UInt8]) {
        var cursor = ByteCursor(input)
        switch cursor.byte() % 8 {
        case 0, 4: runRaw(cursor.rest())
        case 1, 5: runResealed(&cursor)
        case 2, 6: runRoundTrip(&cursor)
        case 3: runReplay(&cursor)
        default: runReader(&cursor)
        }
    }

    static func open(_ frame: [UInt8], limits: FrameLimits = limits, secret: ClusterSecret = secret) -> Result<
        Envelope, WireError
    > {
        Result { () throws(WireError) -> Envelope in try FrameCodec.open(frame, secret: secret, limits: limits) }
    }

    // MARK: - Modes

    static func runRaw(_ frame: [UInt8]) {
        let expected = referenceOpen(frame, maxBytes: limits.maxMessageBytes)
        let actual = open(frame)
        compare(actual, expected, frame)
        // In place too, and with the insecure (empty) key: never a crash, a typed error.
        _ = frame.withUnsafeBytes { raw in
            Result { () throws(WireError) in try FrameCodec.open(raw, secret: .insecure, limits: limits) }
        }
    }

    static func runResealed(_ cursor: inout ByteCursor) {
        let limitByte = cursor.byte()
        let maxBytes = limitByte & 0x80 != 0 ? Int(limitByte & 0x7F) * 8 : limits.maxMessageBytes
        let body = cursor.rest()
        let frame = body + referenceMAC(body)
        let frameLimits = FrameLimits(maxMessageBytes: maxBytes, maxClockSkew: limits.maxClockSkew)
        compare(open(frame, limits: frameLimits), referenceOpen(frame, maxBytes: maxBytes), frame)
    }

    static func compare(_ actual: Result<Envelope, WireError>, _ expected: Fields?, _ frame: [UInt8]) {
        switch (actual, expected) {
        case (.success(let envelope), let fields?):
            check(
                Fields(envelope) == fields && !envelope.isRetransmission, target,
                "open gives \(Fields(envelope)), the reference reader \(fields) for \(frame.hexPrefix(128))")
        case (.success(let envelope), nil):
            violated(
                target,
                "open accepts a frame the reference reader refuses: \(Fields(envelope)) from \(frame.hexPrefix(128))")
        case (.failure(let error), let fields?):
            violated(
                target,
                "open refuses (\(error)) a frame the reference reader accepts: \(fields) from \(frame.hexPrefix(128))")
        case (.failure, nil):
            break
        }
    }

    static func runRoundTrip(_ cursor: inout ByteCursor) {
        let type = cursor.u16()
        let flags = cursor.u16()
        let senderByte = cursor.byte()
        let sender =
            senderByte == 0xFF
            ? String(repeating: "w", count: 256)
            : String(decoding: cursor.take(1 + Int(senderByte % 40)), as: UTF8.self)
        let sequence = cursor.u64()
        let timestamp = Int64(bitPattern: cursor.u64())
        let mutation = cursor.u32()
        let partsSeed = cursor.byte()
        let payload = cursor.rest()

        let sealed = Result { () throws(WireError) -> [UInt8] in
            try FrameCodec.seal(
                type: type, payload: payload, sender: sender, sequence: sequence, secret: secret,
                flags: flags, timestamp: timestamp)
        }
        guard case .success(let frame) = sealed else {
            check(
                sender.utf8.count > FrameCodec.maxSenderBytes || sender.isEmpty, target,
                "seal refused sender \(sender.debugDescription): \(sealed)")
            return
        }
        check(
            sender.utf8.count >= 1 && sender.utf8.count <= FrameCodec.maxSenderBytes, target,
            "seal accepted a sender of \(sender.utf8.count) bytes")
        check(
            frame.count == FrameCodec.frameSize(payloadCount: payload.count, sender: sender), target,
            "frame of \(frame.count) bytes, frameSize says \(FrameCodec.frameSize(payloadCount: payload.count, sender: sender))"
        )
        // Without digested parts the flag is cleared: it would announce a table that isn't there.
        let fields = Fields(
            type: type, flags: flags & ~FrameCodec.digestedPartsFlag, sender: sender, sequence: sequence,
            timestamp: timestamp, payload: payload)
        check(
            frame == referenceSeal(fields, parts: [(payload, false)]), target,
            "seal differs from the documented layout for \(fields)")
        compare(open(frame), fields, frame)
        checkTampering(frame, mutation: mutation)
        checkDigestedParts(fields, partsSeed: partsSeed)
    }

    /// Any change to an authenticated frame is refused.
    static func checkTampering(_ frame: [UInt8], mutation: UInt32) {
        var flipped = frame
        let position = Int(mutation % UInt32(frame.count))
        flipped[position] ^= 1 << (mutation >> 24 & 7)
        check(
            referenceOpen(flipped, maxBytes: limits.maxMessageBytes) == nil, target,
            "the reference reader accepts a flipped bit")
        if case .success = open(flipped) {
            violated(target, "a frame with bit \(mutation >> 24 & 7) of byte \(position) flipped opens")
        }
        if case .success = open(Array(frame[0..<position])) { violated(target, "a frame cut at \(position) opens") }
        if case .success = open(frame + [UInt8(truncatingIfNeeded: mutation)]) {
            violated(target, "a frame with an extra byte opens")
        }
    }

    /// Digested parts: cut the payload into parts, some of them digested, and check seal and open agree.
    static func checkDigestedParts(_ fields: Fields, partsSeed: UInt8) {
        let payload = fields.payload
        var rng = SplitMix(hashing: payload, salt: UInt64(partsSeed))
        var parts: [([UInt8], Bool)] = []
        var start = 0
        while start < payload.count && parts.count < 80 {
            let length = min(payload.count - start, 1 + rng.below(max(1, payload.count / 4)))
            parts.append((Array(payload[start..<(start + length)]), rng.below(3) != 0))
            start += length
        }
        var digested = parts.filter(\.1).count
        while digested > 64, let index = parts.firstIndex(where: \.1) {
            parts[index].1 = false
            digested -= 1
        }
        guard digested > 0 else { return }
        var withTable = fields
        withTable.flags |= FrameCodec.digestedPartsFlag
        let tabled = referenceSeal(withTable, parts: parts)
        check(
            tabled.count
                == FrameCodec.frameSize(payloadCount: payload.count, sender: fields.sender, digestedParts: digested),
            target,
            "a frame with \(digested) digested parts has \(tabled.count) bytes, frameSize disagrees")
        compare(open(tabled), withTable, tabled)
        // A digest that is not the part's (the sender's claim is wrong) fails authentication.
        let wrong = referenceSeal(withTable, parts: parts, corruptDigest: Int(partsSeed) % digested)
        if case .success = open(wrong) {
            violated(target, "a frame whose digested part does not match its digest opens")
        }
    }

    // MARK: - Reference layout (Frame.swift's comment)

    struct Reader {
        let bytes: [UInt8]
        var at = 0
        mutating func take(_ n: Int) -> [UInt8]? {
            guard n >= 0, at + n <= bytes.count else { return nil }
            defer { at += n }
            return Array(bytes[at..<(at + n)])
        }
        mutating func le(_ n: Int) -> UInt64? {
            take(n).map { $0.enumerated().reduce(0) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) } }
        }
    }

    /// The fields of a frame that follows the documented layout and carries the right MAC; nil otherwise.
    static func referenceOpen(_ frame: [UInt8], maxBytes: Int) -> Fields? {
        guard frame.count <= maxBytes, frame.count >= 32 else { return nil }
        let body = Array(frame[0..<(frame.count - 32)])
        var r = Reader(bytes: body)
        guard r.take(4) == Array("GHWH".utf8), r.le(2) == UInt64(FrameCodec.protocolVersion),
            let type = r.le(2), let flags = r.le(2), let senderCount = r.le(1), senderCount >= 1,
            let senderBytes = r.take(Int(senderCount)), let sender = String(validating: senderBytes, as: UTF8.self),
            let sequence = r.le(8), let timestamp = r.le(8), let payloadCount = r.le(4)
        else { return nil }
        var ranges: [Range<Int>] = []
        if UInt16(flags) & FrameCodec.digestedPartsFlag != 0 {
            guard let count = r.le(2), (1...64).contains(count) else { return nil }
            var previousEnd = 0
            for _ in 0..<count {
                guard let offset = r.le(4), let length = r.le(4), Int(offset) >= previousEnd, length > 0,
                    Int(offset) + Int(length) <= Int(payloadCount)
                else { return nil }
                ranges.append(Int(offset)..<(Int(offset) + Int(length)))
                previousEnd = Int(offset + length)
            }
        }
        guard body.count - r.at == Int(payloadCount) else { return nil }
        let payload = Array(body[r.at...])
        guard referenceMAC(body, payloadStart: r.at, ranges: ranges) == Array(frame[(frame.count - 32)...]) else {
            return nil
        }
        return Fields(
            type: UInt16(type), flags: UInt16(flags), sender: sender, sequence: sequence,
            timestamp: Int64(bitPattern: timestamp), payload: payload)
    }

    /// HMAC-SHA256 of everything before the MAC, each digested part entering as its SHA-256.
    static func referenceMAC(_ body: [UInt8], payloadStart: Int, ranges: [Range<Int>]) -> [UInt8] {
        var hmac = HMAC<SHA256>(key: SymmetricKey(data: Array(secretText.utf8)))
        var cursor = 0
        for range in ranges {
            hmac.update(data: body[cursor..<(payloadStart + range.lowerBound)])
            hmac.update(
                data: Array(
                    SHA256.hash(data: body[(payloadStart + range.lowerBound)..<(payloadStart + range.upperBound)])))
            cursor = payloadStart + range.upperBound
        }
        hmac.update(data: body[cursor...])
        return Array(hmac.finalize())
    }

    /// The MAC for an arbitrary body: with its digest table wherever the table can be read
    /// at all (any count, empty parts, parts in order within the body), else over the bytes.
    static func referenceMAC(_ body: [UInt8]) -> [UInt8] {
        var r = Reader(bytes: body)
        guard r.take(8) != nil, let flags = r.le(2), UInt16(flags) & FrameCodec.digestedPartsFlag != 0,
            let senderCount = r.le(1), r.take(Int(senderCount)) != nil, r.take(16) != nil, r.le(4) != nil,
            let count = r.le(2)
        else { return referenceMAC(body, payloadStart: 0, ranges: []) }
        var table: [(UInt64, UInt64)] = []
        for _ in 0..<count {
            guard let offset = r.le(4), let length = r.le(4) else {
                return referenceMAC(body, payloadStart: 0, ranges: [])
            }
            table.append((offset, length))
        }
        let payloadStart = r.at
        var ranges: [Range<Int>] = []
        var previousEnd = 0
        for (offset, length) in table {
            guard Int(offset) >= previousEnd, payloadStart + Int(offset) + Int(length) <= body.count else {
                return referenceMAC(body, payloadStart: 0, ranges: [])
            }
            ranges.append(Int(offset)..<Int(offset + length))
            previousEnd = Int(offset + length)
        }
        return referenceMAC(body, payloadStart: payloadStart, ranges: ranges)
    }

    /// A frame written field by field from the documented layout.
    static func referenceSeal(_ f: Fields, parts: [([UInt8], Bool)], corruptDigest: Int? = nil) -> [UInt8] {
        var body = Array("GHWH".utf8)
        body.le16(FrameCodec.protocolVersion)
        body.le16(f.type)
        body.le16(f.flags)
        body.append(UInt8(f.sender.utf8.count))
        body += f.sender.utf8
        body.le32(UInt32(f.sequence & 0xFFFF_FFFF))
        body.le32(UInt32(f.sequence >> 32))
        let ts = UInt64(bitPattern: f.timestamp)
        body.le32(UInt32(ts & 0xFFFF_FFFF))
        body.le32(UInt32(ts >> 32))
        body.le32(UInt32(parts.reduce(0) { $0 + $1.0.count }))
        var ranges: [Range<Int>] = []
        var offset = 0
        for (bytes, isDigested) in parts {
            if isDigested { ranges.append(offset..<(offset + bytes.count)) }
            offset += bytes.count
        }
        if !ranges.isEmpty {
            body.le16(UInt16(ranges.count))
            for range in ranges {
                body.le32(UInt32(range.lowerBound))
                body.le32(UInt32(range.count))
            }
        }
        let payloadStart = body.count
        for (bytes, _) in parts { body += bytes }
        guard let corrupt = corruptDigest else {
            return body + referenceMAC(body, payloadStart: payloadStart, ranges: ranges)
        }
        // The MAC over a digest of other bytes: the part with its last byte changed.
        var other = body
        other[payloadStart + ranges[corrupt].upperBound - 1] ^= 0x01
        return body + referenceMAC(other, payloadStart: payloadStart, ranges: ranges)
    }

    // MARK: - Replay guard against a model

    enum Decision: Equatable { case accepted, retransmission, replayed, stale }

    /// The rules documented on `ReplayGuard`, kept naively: every sequence seen, and the
    /// last 32 accepted frames per sender.
    struct Model {
        struct Sender {
            var highest: UInt64
            var seen: Set<UInt64>
            var recent: [(UInt64, [UInt8])] = []
            var next = 0
        }
        var senders: [String: Sender] = [:]

        mutating func admit(sender name: String, sequence: UInt64, mac: [UInt8], skew: Double) -> Decision {
            guard abs(skew) <= FrameTarget.limits.maxClockSkew else { return .stale }
            guard var state = senders[name] else {
                var fresh = Sender(highest: sequence, seen: [sequence])
                remember(&fresh, sequence, mac)
                senders[name] = fresh
                return .accepted
            }
            defer { senders[name] = state }
            if sequence > state.highest {
                state.highest = sequence
            } else {
                guard state.highest - sequence < UInt64(ReplayGuard.windowSize) else { return .replayed }
                if state.seen.contains(sequence) {
                    return state.recent.contains(where: { $0.0 == sequence && $0.1 == mac })
                        ? .retransmission : .replayed
                }
            }
            state.seen.insert(sequence)
            remember(&state, sequence, mac)
            return .accepted
        }

        func remember(_ state: inout Sender, _ sequence: UInt64, _ mac: [UInt8]) {
            if state.recent.count < ReplayGuard.recentFrames {
                state.recent.append((sequence, mac))
            } else {
                state.recent[state.next] = (sequence, mac)
            }
            state.next = (state.next + 1) % ReplayGuard.recentFrames
        }
    }

    /// A frame this target sent, and how far its timestamp was from the guard's clock.
    typealias SentFrame = (frame: [UInt8], sender: String, sequence: UInt64, skew: Double)

    static func runReplay(_ cursor: inout ByteCursor) {
        let start = 1_700_000_000.0
        var now = start
        var nowMillis = Int64(now * 1000)
        let guardUnderTest = ReplayGuard(maxClockSkew: limits.maxClockSkew)
        var model = Model()
        var sent: [SentFrame] = []
        var acceptedAsNew: Set<[UInt8]> = []
        var counter: UInt8 = 0
        // Odd first byte: the clock moves, by up to 25 minutes a step.
        let clockMoves = cursor.byte() & 1 == 1
        for _ in 0..<96 where !cursor.isAtEnd {
            let op = cursor.byte()
            let b = cursor.byte()
            if clockMoves {
                now += Double(cursor.byte()) * 6
                nowMillis = Int64(now * 1000)
            }
            let sender = ["worker-1", "worker-2", "loader"][Int(op & 3) % 3]
            let highest = model.senders[sender]?.highest ?? 1 << 40
            let (sequence, timestamp, frame) = nextSequence(
                op: op, b: b, highest: highest, nowMillis: nowMillis, sent: sent, cursor: &cursor)
            var record: SentFrame
            if let frame, let previous = sent.first(where: { $0.frame == frame }) {
                record = previous
                record.skew = Double(Int64(littleEndian: frameTimestamp(previous.frame))) / 1000 - now
            } else {
                counter &+= 1
                let sealed = try! FrameCodec.seal(
                    type: 7, payload: [counter, b], sender: sender, sequence: sequence,
                    secret: secret, timestamp: timestamp)
                record = (sealed, sender, sequence, Double(timestamp) / 1000 - now)
                sent.append(record)
            }
            let actual = decision(of: guardUnderTest, on: record, now: now)
            if actual == .accepted {
                check(
                    acceptedAsNew.insert(record.frame).inserted, target,
                    "ReplayGuard accepted the same frame (\(record.sender) sequence \(record.sequence)) as new twice")
            }
            check(
                (actual == .stale) == (abs(record.skew) > limits.maxClockSkew), target,
                "ReplayGuard says \(actual) for a frame \(record.skew) s from its clock")
            // The exact rules hold while no sender can have been forgotten (a constant clock).
            guard !clockMoves else { continue }
            let expected = model.admit(
                sender: record.sender, sequence: record.sequence,
                mac: Array(record.frame.suffix(32)), skew: record.skew)
            check(
                actual == expected, target,
                "ReplayGuard says \(actual), the documented rules \(expected) for \(record.sender) sequence \(record.sequence) (highest \(highest)) after \(sent.count) frames"
            )
        }
    }

    /// The next frame's sequence and timestamp relative to the sender's `highest` (op bits 2-4 pick how),
    /// or a frame already sent, to send again.
    static func nextSequence(
        op: UInt8, b: UInt8, highest: UInt64, nowMillis: Int64, sent: [SentFrame], cursor: inout ByteCursor
    ) -> (sequence: UInt64, timestamp: Int64, resend: [UInt8]?) {
        var timestamp = nowMillis + Int64(b) * 1000 - 128_000
        let sequence: UInt64
        var frame: [UInt8]?
        switch op >> 2 & 7 {
        case 0: sequence = highest &+ 1 &+ UInt64(b % 4)
        case 1: sequence = highest &- UInt64(b)
        case 2: sequence = highest &- 1024 &+ UInt64(b % 8)
        case 3: sequence = highest &+ 1000 &+ UInt64(b) * 8
        case 4: sequence = highest &- UInt64(b) * 64 &- UInt64(b % 64)
        case 5:
            sequence = 0
            if !sent.isEmpty { frame = sent[Int(b) % sent.count].frame }
        case 6:
            sequence = highest &+ 1
            timestamp = nowMillis + (b & 1 == 0 ? 1 : -1) * (Int64(limits.maxClockSkew * 1000) + 1 + Int64(b))
        default: sequence = cursor.u64()
        }
        return (sequence, timestamp, frame)
    }

    /// What `ReplayGuard` says of `record`, checking an error names the frame it refused.
    static func decision(of guardUnderTest: ReplayGuard, on record: SentFrame, now: Double) -> Decision {
        guard case .success(let envelope) = open(record.frame) else {
            violated(target, "a sealed frame does not open")
        }
        let actual: Decision
        do throws(WireError) {
            let admitted = try guardUnderTest.admit(envelope, now: now)
            actual = admitted.isRetransmission ? .retransmission : .accepted
        } catch {
            switch error {
            case .replayed(let s, let q):
                check(s == record.sender && q == record.sequence, target, "replayed names \(s) \(q)")
                actual = .replayed
            case .stale(let s, _):
                check(s == record.sender, target, "stale names \(s)")
                actual = .stale
            default: violated(target, "admit threw \(error)")
            }
        }
        return actual
    }

    /// The timestamp field of a frame this target sealed (sender ids of 6-8 bytes).
    static func frameTimestamp(_ frame: [UInt8]) -> Int64 {
        let at = 11 + Int(frame[10]) + 8
        return Int64(
            bitPattern: frame[at..<(at + 8)].enumerated().reduce(UInt64(0)) {
                $0 | UInt64($1.element) << (8 * UInt64($1.offset))
            })
    }

    // MARK: - WireReader programs

    static func runReader(_ cursor: inout ByteCursor) {
        let program = cursor.take(1 + Int(cursor.byte() % 32))
        let junk = Int(cursor.byte() % 5)
        let data = cursor.rest()
        // A slice whose startIndex is not 0, like a payload inside a frame.
        let storage = Array(repeating: UInt8(0xEE), count: junk) + data
        var reader = WireReader(storage[junk...])
        for op in program {
            let before = reader.offset
            var failed = false
            do {
                try readOne(op, from: &reader, data: data, junk: junk)
            } catch {
                check(error is WireError, target, "WireReader threw \(type(of: error)): \(error)")
                failed = true
            }
            check(
                reader.offset >= before && reader.offset <= data.count && reader.remaining == data.count - reader.offset
                    && reader.isAtEnd == (reader.offset == data.count), target,
                "reader at offset \(reader.offset) (was \(before)) of \(data.count), remaining \(reader.remaining)")
            if failed { break }  // a decoder stops at its first error
        }
    }

    /// Runs one reader operation (`op % 14` picks which) and checks it decoded exactly the bytes it consumed.
    static func readOne(_ op: UInt8, from reader: inout WireReader, data: [UInt8], junk: Int) throws {
        let before = reader.offset
        func consumed() -> [UInt8] { Array(data[before..<reader.offset]) }
        switch op % 14 {
        case 0:
            let v = try reader.u8()
            check([v] == consumed(), target, "u8")
        case 1:
            var w = WireWriter()
            w.u16(try reader.u16())
            check(w.bytes == consumed(), target, "u16")
        case 2:
            var w = WireWriter()
            w.u32(try reader.u32())
            check(w.bytes == consumed(), target, "u32")
        case 3:
            var w = WireWriter()
            w.u64(try reader.u64())
            check(w.bytes == consumed(), target, "u64")
        case 4:
            var w = WireWriter()
            w.i64(try reader.i64())
            check(w.bytes == consumed(), target, "i64")
        case 5:
            var w = WireWriter()
            w.double(try reader.double())
            check(w.bytes == consumed(), target, "double")
        case 6:
            let v = try reader.bool()
            check([v ? 1 : 0] == consumed(), target, "bool")
        case 7, 8:
            let v = op % 14 == 7 ? try reader.varint() : UInt64(bitPattern: try reader.zigzag())
            checkVarint(consumed(), op % 14 == 7 ? v : nil)
        case 9:
            let v = try reader.int()
            check(v >= 0, target, "int() gave \(v)")
            checkVarint(consumed(), UInt64(v))
        case 10:
            let s = try reader.string()
            check(
                consumed().suffix(s.utf8.count).elementsEqual(s.utf8), target,
                "string is not the bytes consumed")
        case 11:
            let b = try reader.bytes()
            check(consumed().suffix(b.count) == b[...], target, "bytes are not the bytes consumed")
        case 12:
            let b = try reader.bytesSlice()
            check(
                Array(b) == Array(consumed().suffix(b.count)) && b.endIndex == junk + reader.offset, target,
                "bytesSlice is not the bytes consumed")
        default:
            let values = try reader.array(minElementBytes: Int(op >> 4) + 1) { try $0.varint() }
            check(values.count <= data.count, target, "array of \(values.count) from \(data.count) bytes")
        }
    }

    /// `bytes` is a varint's encoding: read again it gives `value` (when known) and its
    /// canonical encoding is no longer than what was consumed.
    static func checkVarint(_ bytes: [UInt8], _ value: UInt64?) {
        var again = WireReader(bytes)
        guard let v = try? again.varint(), again.isAtEnd else {
            violated(target, "varint bytes \(bytes.hexPrefix()) do not read back")
        }
        if let value { check(v == value, target, "varint \(bytes.hexPrefix()) reads as \(v), then \(value)") }
        var w = WireWriter()
        w.varint(v)
        check(
            w.bytes.count <= bytes.count
                && (try? {
                    var r = WireReader(w.bytes)
                    return try r.varint()
                }()) == v, target,
            "varint \(v) does not round-trip through its canonical encoding")
    }
}
