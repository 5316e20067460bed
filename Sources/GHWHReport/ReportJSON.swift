/// `ghwh report --format json`: exactly the object of docs/contract.md#report-json, keys in contract order,
/// including the backlog `trend`.
public enum ReportJSON {
    /// Pretty-printed (two-space indent), no trailing newline. Missing values are `null`;
    /// histogram data, `repo` and `generatedAt` are not part of the JSON contract and are omitted.
    public static func render(_ r: Report) -> String {
        JSONWriter.write(value(r))
    }

    static func value(_ r: Report) -> JSONValue {
        // Long on purpose: the contract's object written out key by key, so it reads like the JSON it produces.
        .object([
            (
                "pr_open_time",
                .object([
                    ("prs", .int(r.prOpenTime.count)),
                    ("open_prs", .int(r.openPRs)),
                    ("avg_seconds", .number(r.prOpenTime.avgSeconds)),
                    ("median_seconds", .number(r.prOpenTime.medianSeconds)),
                ])
            ),
            (
                "pr_time_to_merge",
                .object([
                    ("prs", .int(r.prTimeToMerge.count)),
                    ("avg_seconds", .number(r.prTimeToMerge.avgSeconds)),
                    ("median_seconds", .number(r.prTimeToMerge.medianSeconds)),
                ])
            ),
            (
                "issue_to_merge",
                .object([
                    ("links", .int(r.issueToMerge.count)),
                    ("avg_seconds", .number(r.issueToMerge.avgSeconds)),
                    ("median_seconds", .number(r.issueToMerge.medianSeconds)),
                ])
            ),
            (
                "labels",
                .array(
                    r.labels.map { l in
                        .object([
                            ("label", .string(l.label)), ("pr_count", .int(l.prCount)), ("share", .double(l.share)),
                        ])
                    })
            ),
            (
                "milestones",
                .array(
                    r.milestones.map { m in
                        .object([
                            ("repo", .string(m.repo)),
                            ("milestone", .string(m.milestone)),
                            ("prs", .int(m.prs)),
                            ("avg_lines_changed", .number(m.avgLinesChanged)),
                            ("median_lines_changed", .number(m.medianLinesChanged)),
                        ])
                    })
            ),
            (
                "trend",
                .array(
                    r.trend.map { t in
                        .object([
                            ("date", .string(t.date)),
                            ("issues_open", .int(t.issuesOpen)),
                            ("prs_open", .int(t.prsOpen)),
                            ("prs_closed", .int(t.prsClosed)),
                            ("prs_merged", .int(t.prsMerged)),
                        ])
                    })
            ),
        ])
    }
}
