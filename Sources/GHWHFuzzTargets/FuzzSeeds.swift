import Foundation
import GHWHCluster
import GHWHWire

/// The committed seed inputs (`ghwh-fuzz seeds <dir>` writes them; scripts/fuzz-seeds.sh
/// adds zip and gzip files written by Python and the zip/gzip tools). Each seed starts
/// with the option bytes its target reads.
public enum FuzzSeeds {
    public static func all() -> [(target: FuzzTarget, name: String, bytes: [UInt8])] {
        splitter().map { (.splitter, $0.0, $0.1) } + projector().map { (.projector, $0.0, $0.1) }
            + zip().map { (.zip, $0.0, $0.1) } + gzip().map { (.gzip, $0.0, $0.1) }
            + frame().map { (.frame, $0.0, $0.1) } + messages().map { (.messages, $0.0, $0.1) }
    }

    static func utf8(_ s: String) -> [UInt8] { Array(s.utf8) }

    // MARK: - JSON

    static let issue = #"""
        {"id":1867123,"node_id":"I_kwDOA1b2c84","number":42,"title":"Crash on \"quoted\" input \\ with emoji \ud83d\ude00","user":{"login":"octocat","id":583231,"type":"User","site_admin":false},"labels":[{"id":208045946,"name":"bug","color":"d73a4a","default":true},{"id":2,"name":"caf\u00e9 \u6771","color":"00ff00","default":false}],"state":"open","locked":false,"assignee":null,"assignees":[],"milestone":{"id":7,"number":3,"title":"v1.0","state":"open","due_on":"2024-03-01T00:00:00Z"},"comments":17,"created_at":"2024-01-02T03:04:05Z","updated_at":"2024-01-03T10:00:00Z","closed_at":null,"author_association":"CONTRIBUTOR","body":"Steps:\r\n1. run\t`ghwh`\n2. see \u2028 and \/slashes\/","reactions":{"total_count":3,"+1":2,"-1":0,"laugh":1},"score":1.5e3,"ratio":-0.25,"big":12345678901234567890,"repository_url":"https://api.github.com/repos/octo/repo"}
        """#

    static let pullRequest = #"""
        {"id":99,"number":7,"state":"closed","title":"Fix \u00fcber-long lines","user":{"login":"dev\u0041"},"head":{"ref":"fix","sha":"0123456789abcdef","repo":{"id":1,"full_name":"octo/repo"}},"base":{"ref":"main","repo":{"id":1,"full_name":"octo/repo"}},"merged":true,"merged_at":"2024-01-05T00:00:00Z","additions":120,"deletions":-0,"changed_files":3,"requested_reviewers":[{"login":"a"},{"login":"b"}],"draft":false,"body":null}
        """#

    static func splitter() -> [(String, [UInt8])] {
        let lines = issue + "\n" + pullRequest + "\r\n\n   \n" + #"{"id":3,"title":"last line without newline"}"#
        return [
            ("array-of-issues", [0, 0, 5] + utf8("[\n  " + issue + ",\n  " + pullRequest + "\n]\n")),
            ("jsonl-crlf-blank-lines", [1, 0, 9] + utf8(lines)),
            ("json-that-is-lines", [0, 0, 3] + utf8("  \n" + lines)),
            ("bom-array", [0, 0, 1] + [0xEF, 0xBB, 0xBF] + utf8(" [" + pullRequest + "]")),
            ("bom-lines", [1, 0, 2] + [0xEF, 0xBB, 0xBF] + utf8(pullRequest + "\n")),
            (
                "scalars-and-strings",
                [0, 0, 4]
                    + utf8(#"[1, -2.5e10, "str\"ing\\", true, null, tru, {"a":"]}[{"}, [[],[{}]], "\ud83d\ude00"]"#)
            ),
            ("small-limit", [6, 20, 7] + utf8(#"[{"a":1},{"bbbbbbbbbbbbbbbbbbbbbbbb":2},3]"#)),
            ("small-limit-lines", [7, 10, 8] + utf8("{\"a\":1}\r\n          \n{\"bb\":2}\r\n")),
            ("truncated", [0, 0, 6] + utf8(#"[{"id":1},{"id":"#)),
            ("mismatched", [0, 0, 0] + utf8(#"[{"id":[1}]"#)),
            ("empty-array", [0, 0, 0] + utf8(" [ ] ")),
        ]
    }

    static func projector() -> [(String, [UInt8])] {
        [
            ("issue", [0] + utf8(issue)),
            ("pull-request", [8] + utf8(pullRequest)),
            (
                "numbers",
                [0]
                    + utf8(
                        #"[0,-0,-0.0,1e400,-1e-400,9223372036854775807,-9223372036854775808,9223372036854775808,-9223372036854775809,1.7976931348623157e308,5e-324,123456789012345678901234567890,0.30000000000000000000000000001,1E+2,2.5e-3]"#
                    )
            ),
            (
                "escapes-and-surrogates",
                [0]
                    + utf8(
                        #"{"s":"\u0000\b\f\n\r\t\/\\\"\ud83d\ude00 lone \ud800 x \udc00 \uD834\uDD1E","\u0069d":5,"k\u00e9y":[true,false,null]}"#
                    )
            ),
            ("duplicate-keys", [16] + utf8(#"{"a":1,"b":{"c":2},"a":{"d":[1,2]},"b":3}"#)),
            (
                "nested-selection",
                [24]
                    + utf8(
                        #"{"user":{"login":"x","id":1},"labels":[{"name":"a","id":1},{"name":"b","id":2}],"x":[[{"name":"deep"}]]}"#
                    )
            ),
            ("deep-130", [0] + utf8(String(repeating: "[", count: 130) + String(repeating: "]", count: 130))),
            ("depth-limit-3", [7] + utf8(#"{"a":{"b":{"c":[1]}}}"#)),
            ("trailing-comma", [0] + utf8(#"{"a":[1,2,],}"#)),
            ("invalid-utf8", [0] + [0x22, 0xC0, 0xAF, 0xED, 0xA0, 0x80, 0xF4, 0x90, 0x80, 0x80, 0x22]),
            ("utf8-ok", [0] + utf8("\"caf\u{E9} \u{6771}\u{4EAC} \u{1F600} \u{10FFFF}\"")),
            ("scalar", [0] + utf8("  -12.5e-3  ")),
        ]
    }

    // MARK: - Zip and gzip (built mode; raw files come from scripts/fuzz-seeds.sh)

    static func zip() -> [(String, [UInt8])] {
        func entry(_ kind: UInt8, _ name: String, _ data: [UInt8]) -> [UInt8] {
            [kind, UInt8(name.utf8.count - 1)] + utf8(name)
                + (kind & 7 == 5 ? [] : [UInt8(data.count & 0xFF), UInt8(data.count >> 8)] + data)
        }
        let lines = utf8(issue + "\n" + pullRequest + "\n")
        return [
            (
                "built-deflate-and-stored",
                [1 | 3 << 1 | 6 << 4] + entry(0x08, "issues", utf8("[" + issue + "]"))
                    + entry(0x01, "more", lines) + entry(0x05, "sub", []) + entry(0x04, "readme", utf8("not json"))
                    + [6, 5] + utf8("hello")
            ),
            ("built-ndjson-level0", [1 | 0 << 1 | 7 << 4] + entry(0x0A, "prs", lines) + [0, 0]),
        ]
    }

    static func gzip() -> [(String, [UInt8])] {
        [
            ("built-one-member", [1 | 6 << 1 | 2 << 4, 6] + utf8("[" + issue + "]")),
            ("built-three-members-truncated", [1 | 3 << 1 | 0 << 4, 0x29 | 0x08] + utf8(issue + "\n" + pullRequest)),
        ]
    }

    // MARK: - Frames

    static let secret = FrameTarget.secret
    static let timestamp: Int64 = 1_700_000_000_000

    static func frame() -> [(String, [UInt8])] {
        let payload = utf8(#"{"workerId":"worker-1","incarnation":"abc"}"#)
        let sealed = try! FrameCodec.seal(
            type: 5, payload: payload, sender: "worker-1", sequence: 1_700_000_000_000_001,
            secret: secret, timestamp: timestamp)
        let fields = FrameTarget.Fields(
            type: 6, flags: 0, sender: "coordinator", sequence: 77, timestamp: timestamp,
            payload: utf8("head") + Array(repeating: 0x41, count: 40) + utf8("tail"))
        var withTable = fields
        withTable.flags |= FrameCodec.digestedPartsFlag
        let tabled = FrameTarget.referenceSeal(
            withTable, parts: [(utf8("head"), false), (Array(repeating: 0x41, count: 40), true), (utf8("tail"), true)])
        var roundTrip: [UInt8] = [2]
        roundTrip.le16(11)
        roundTrip.le16(0x0003)
        roundTrip.append(7)
        roundTrip += utf8("loader-")
        roundTrip += [1, 2, 3, 4, 5, 6, 7, 8] + [0x00, 0x68, 0xE5, 0xCF, 0x8B, 0x01, 0, 0] + [9, 0, 0, 0x03] + [5]
        roundTrip += utf8("payload bytes of a message, some of them digested")
        return [
            ("raw-sealed", [0] + sealed),
            ("raw-tabled", [4] + tabled),
            ("resealed", [1, 0] + sealed.dropLast(32)),
            ("resealed-tabled", [1, 0] + tabled.dropLast(32)),
            ("resealed-size-limit", [5, 0x8C] + sealed.dropLast(32)),
            ("round-trip", roundTrip),
            (
                "replay",
                [3, 0] + [0, 0, 4, 3, 1, 0, 20, 0, 0, 0, 8, 200, 21, 1, 12, 5, 16, 3, 24, 9, 28, 1]
                    + [29, 0, 20, 1, 0, 0, 4, 255, 12, 0, 2, 0, 30] + [1, 2, 3, 4, 5, 6, 7, 8] + [16, 4, 20, 0]
            ),
            (
                "replay-clock-moves",
                [3, 1] + [0, 0, 0, 4, 3, 10, 1, 0, 50, 20, 0, 0, 20, 7, 200, 0, 21, 1, 120, 0, 0, 0]
            ),
            (
                "wire-reader",
                [7, 13, 2] + [0, 1, 9, 7, 8, 10, 11, 12, 13, 2, 3, 4, 5, 6] + [0xEE, 0xAB]
                    + [0x01, 0x00, 0xFF, 0x7F] + [9, 0, 0, 0] + [0xAC, 0x02] + [0x03] + [0x80, 0x01]
                    + [5] + utf8("hell\u{F6}") + [2, 0xAA, 0xBB] + [1, 0x42] + [3, 1, 2, 0x80, 0x01]
            ),
        ]
    }

    // MARK: - Messages (payloads written field by field as Protocol.swift lays them out)

    static func json(_ index: UInt8, _ text: String) -> [UInt8] {
        var w = WireWriter()
        w.bytes(utf8(text))
        return [index] + w.bytes
    }

    static func silverTask(_ w: inout WireWriter, records: [String], document: Bool) {
        w.u8(0)
        w.string("00ab12cd:0")
        w.string("job-1")
        w.string("issues")
        w.i64(1234)
        w.string("/raw/github/issues/2024-01-02/part-0001.json.zip")
        w.string("github/issues/2024-01-02/part-0001.json.zip!issues.json")
        w.string("2024-01-02")
        w.varint(0)
        w.optional(1) { $0.varint(UInt64($1)) }
        w.varint(0)
        var bounds = [0]
        for r in records { bounds.append(bounds.last! + r.utf8.count) }
        w.array(bounds) { $0.varint(UInt64($1)) }
        w.array(records.indices.map { 2 + $0 * 100 }) { $0.varint(UInt64($1)) }
        // Oversized records (index, full length): the last record, when there are two or more.
        w.array(records.count >= 2 ? [(records.count - 1, 70_000_000)] : []) { w, e in
            w.varint(UInt64(e.0))
            w.varint(UInt64(e.1))
        }
        w.bytes(utf8(records.joined()))
        w.optional(document ? 1 : nil) { w, _ in
            w.string("github/issues/2024-01-02/part-0002.json.gz")
            w.u8(0)
            w.u8(2)
            w.u16(8)
            w.u32(0xCBF4_3926)
            w.u64(9)
            w.i64(30)
            w.bytes([0x33, 0x34, 0xB2, 0xB0, 0x34, 0x35, 0x33, 0x37, 0x03, 0x00])
        }
        w.varint(document ? 16 << 20 : 0)  // the chunk size a whole document's output is cut at
    }

    static func goldTask(_ w: inout WireWriter) {
        w.string("gold:3")
        w.string("job-2")
        w.varint(3)
        w.array(["octo/repo", "caf\u{E9}/r"]) { $0.string($1) }
        w.array(["daily_backlog", "labels_metrics", "milestone_metrics", "pull_requests_metrics"]) { $0.string($1) }
        w.array([("octo/repo", "labels_metrics", Int64(5))]) { w, m in
            w.string(m.0)
            w.string(m.1)
            w.i64(m.2)
        }
    }

    static func goldResult(_ w: inout WireWriter) {
        goldTask(&w)
        w.string("worker-1")
        w.bytes(utf8("octo/repo\t7\t12.5\n"))
        w.bytes(utf8("octo/repo\t7\t3\n"))
        w.bytes(utf8("bug\t2\n"))
        w.bytes([])
        w.array([("labels_metrics", 1), ("pull_requests_metrics", 1)]) { w, kv in
            w.string(kv.0)
            w.varint(UInt64(kv.1))
        }
        w.bytes(utf8("octo/repo\t2024-01-02\t4\n"))
    }

    static func taskCommit(_ w: inout WireWriter) {
        w.string("00ab12cd:0")
        w.string("job-1")
        w.string("pull_requests")
        w.i64(1234)
        w.string("/raw/x.json")
        w.string("x.json")
        w.string("2024-01-02")
        w.varint(2)
        w.optional(Optional<Int>.none) { $0.varint(UInt64($1)) }
        w.varint(3)
        w.bytes(utf8("1\tocto/repo\t\\N\n"))
        w.varint(1)
        w.bytes(utf8("2\tbad number\n"))
        w.varint(1)
        w.string("worker-1")
    }

    /// A JobSummary as JSONEncoder writes it, with counts, gold rows and a failure filled in
    /// (its nested types have no public initialisers).
    static func summaryJSON() -> [UInt8] {
        var summary = JobSummary(jobId: "job-1", job: "all")
        summary.seconds = 12.25
        summary.stopReason = "database went away"
        var object = try! JSONSerialization.jsonObject(with: JSONEncoder().encode(summary)) as! [String: Any]
        let counts: [String: Any] = [
            "records": 10, "inserted": 7, "updated": 1, "rejected": 2, "documentsMerged": 1,
            "documentsFailed": 0, "filesSkipped": 3,
        ]
        object["datasets"] = ["issues": counts, "pull_requests": counts]
        object["gold"] = ["tasks": 2, "repos": 5, "rows": ["labels_metrics": 3, "daily_backlog": 9], "seconds": 0.5]
        object["failures"] = [["dataset": "issues", "source": "a.json", "reason": "broken document at byte 3"]]
        object["rejectSamples"] = [["dataset": "issues", "source": "a.json", "ordinal": 4, "reason": "bad id"]]
        return Array(try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
    }

    static func messages() -> [(String, [UInt8])] {
        // Long on purpose: a seed table, one entry per message kind; splitting it would only scatter the list.
        var seeds: [(String, [UInt8])] = [
            (
                "register-worker",
                json(0, #"{"workerId":"worker-1","host":"node-1.example","cores":8,"incarnation":"5F1C2A"}"#)
            ),
            ("registered", json(1, #"{"heartbeatInterval":2.5,"workerTimeout":30}"#)),
            (
                "heartbeat",
                json(2, #"{"workerId":"worker-1","incarnation":"5F1C2A","runningTasks":["00ab:0","00ab:1"]}"#)
            ),
            ("heartbeat-reply", json(3, #"{"known":true,"stop":["00ab:1"]}"#)),
            ("request-task", json(4, #"{"workerId":"w\u00e9","incarnation":"i"}"#)),
            ("ack", json(7, #"{"accepted":false,"message":"stale result"}"#)),
            (
                "report-task-failure",
                json(8, #"{"workerId":"w","incarnation":"i","taskId":"t:0","attempt":2,"error":"boom \ud83d\ude00"}"#)
            ),
            ("fetch-loader-work", json(9, #"{"loaderId":"loader","maxBytes":1048576}"#)),
            (
                "ack-loader-work",
                json(
                    11,
                    #"{"loaderId":"loader","epoch":"e1","upToSeq":5,"delta":"#
                        + String(decoding: summaryJSON(), as: UTF8.self) + "}")
            ),
            ("report-loader-error", json(12, #"{"loaderId":"loader","message":"PostgreSQL unreachable, retrying"}"#)),
            ("submit-job", json(13, #"{"job":"silver","from":"2024-01-01","force":true,"rawRoot":"/data/raw"}"#)),
            ("job-accepted", json(14, #"{"jobId":"job-7"}"#)),
            ("get-job-status", json(15, #"{"jobId":"job-7","waitSeconds":2}"#)),
            (
                "job-status",
                json(
                    16,
                    #"{"jobId":"job-7","job":"all","state":"running","phase":"silver","filesDone":1,"filesTotal":4,"tasksDone":3,"tasksPlanned":9,"tasksRunning":2,"records":1000,"uncompressedBytes":123456789,"elapsedSeconds":1.5,"etaSeconds":4.25,"workersAlive":2,"summaryFailed":false}"#
                )
            ),
            ("kill-job", json(17, #"{"jobId":"job-7"}"#)),
            ("release-tasks", json(18, #"{"workerId":"w","incarnation":"i","taskIds":["a:0","b:1"],"leaving":true}"#)),
        ]
        var w = WireWriter()
        w.bool(false)
        w.varint(1)
        w.optional(1) { w, _ in silverTask(&w, records: [issue, pullRequest], document: true) }
        seeds.append(("task-assignment-silver", [5] + w.bytes))
        w = WireWriter()
        w.bool(false)
        w.varint(1)
        w.optional(1) { w, _ in
            w.u8(2)  // a task group of two small documents
            w.string("00ab12cd:0+2")
            w.varint(2)
            silverTask(&w, records: [issue], document: false)
            silverTask(&w, records: [], document: true)
        }
        seeds.append(("task-assignment-group", [5] + w.bytes))
        w = WireWriter()
        w.bool(false)
        w.varint(3)
        w.optional(1) { w, _ in
            w.u8(1)
            goldTask(&w)
        }
        seeds.append(("task-assignment-gold", [5] + w.bytes))
        w = WireWriter()
        w.bool(true)
        w.varint(0)
        w.optional(Optional<Int>.none) { _, _ in }
        seeds.append(("task-assignment-none", [5] + w.bytes))
        for (kind, name) in [(0, "silver"), (1, "gold"), (2, "failed-document")] {
            w = WireWriter()
            w.string("worker-1")
            w.string("5F1C2A")
            w.varint(2)
            w.u8(UInt8(kind))
            switch kind {
            case 0:
                taskCommit(&w)
                w.varint(4096)
            case 1: goldResult(&w)
            default:
                silverTask(&w, records: [], document: false)
                w.string("broken document at byte 12: truncated")
            }
            seeds.append(("submit-result-\(name)", [6] + w.bytes))
        }
        w = WireWriter()
        w.string("worker-1")
        w.string("5F1C2A")
        w.varint(2)
        w.u8(3)  // a task group's results: one committed, one failed document
        w.string("00ab12cd:0+2")
        w.varint(2)
        w.u8(0)
        taskCommit(&w)
        w.varint(4096)
        w.u8(2)
        silverTask(&w, records: [], document: false)
        w.string("broken document at byte 12: truncated")
        seeds.append(("submit-result-group", [6] + w.bytes))
        w = WireWriter()
        w.string("worker-1")
        w.string("5F1C2A")
        w.varint(2)
        w.u8(4)  // a chunk of a whole document's output, cut by the worker running task 00ab12cd:0
        w.string("00ab12cd:0")
        taskCommit(&w)
        w.varint(4096)
        seeds.append(("submit-result-chunk", [6] + w.bytes))
        w = WireWriter()
        w.string("epoch-1")
        let entries: [(UInt64, (inout WireWriter) -> Void)] = [
            (
                1,
                { w in
                    w.u8(5)
                    w.string("job-1")
                    w.string("all")
                    w.optional("2024-01-01") { $0.string($1) }
                    w.optional(Optional<String>.none) { $0.string($1) }
                    w.bool(false)
                }
            ),
            (
                2,
                { w in
                    w.u8(0)
                    w.string("job-1")
                    w.string("issues")
                    w.string("github/issues/2024-01-02/a.json")
                    w.string("2024-01-02")
                    w.i64(999)
                    w.string("ab12")
                    w.bool(true)
                }
            ),
            (
                3,
                { w in
                    w.u8(1)
                    taskCommit(&w)
                    w.varint(100)
                }
            ),
            (
                4,
                { w in
                    w.u8(2)
                    w.string("pull_requests")
                    w.i64(7)
                    w.string("p")
                    w.string("s")
                    w.string("2024-02-29")
                    w.string("bad gzip")
                }
            ),
            (
                5,
                { w in
                    w.u8(3)
                    w.string("issues")
                    w.string("p")
                    w.varint(2)
                    w.optional("unreadable zip") { $0.string($1) }
                }
            ),
            (
                6,
                { w in
                    w.u8(4)
                    goldResult(&w)
                }
            ),
            (
                7,
                { w in
                    w.u8(6)
                    w.string("job-1")
                    w.bytes(summaryJSON())
                }
            ),
        ]
        w.varint(UInt64(entries.count))
        for (seq, write) in entries {
            w.u64(seq)
            write(&w)
        }
        seeds.append(("loader-work", [10] + w.bytes))
        return seeds
    }
}
