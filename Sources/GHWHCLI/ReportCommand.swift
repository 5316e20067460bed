import ArgumentParser
import Foundation
import GHWHReport
import GHWHWarehouse

/// `ghwh report`: the four questions of docs/contract.md#metric-definitions, answered from the gold layer.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "PR open time, issue-to-merge time, label shares and lines changed per milestone.")

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json, html }

    @OptionGroup var common: CommonOptions
    @Option(
        help:
            "text (terminal tables), json (one object, see docs/contract.md#report-json) or html (one self-contained page)."
    )
    var format: Format = .text
    @Option(help: "Write to this file instead of standard output (required for html).")
    var out: String?
    @Option(help: "Restrict every answer to one repo (owner/repo).")
    var repo: String?
    @Option(
        name: .customLong("as-of"),
        help: "Answer as if only the ingest days up to and including this one (YYYY-MM-DD) had been loaded.")
    var asOf: String?

    func validate() throws {
        if format == .html && out == nil { throw ValidationError("--format html needs --out FILE") }
    }

    func run() throws {
        let config = try common.configuration()
        let conninfo = try common.migratedWarehouse(config, logger: common.makeLogger("ghwh"))
        let db = try PGConnection(conninfo: conninfo)
        defer { db.close() }
        let report: Report
        if let asOf {
            do { try HistoryStore(db).prepareAsOf(asOf) } catch let e as WarehouseError {
                throw CommandFailure(e.description)
            }
            report = try ReportQueries.load(db, repo: repo?.lowercased(), schema: "pg_temp", asOf: asOf)
        } else {
            report = try ReportQueries.load(db, repo: repo?.lowercased())
        }
        let rendered: String
        switch format {
        case .text: rendered = ReportText.render(report)
        case .json: rendered = ReportJSON.render(report)
        case .html: rendered = ReportHTML.render(report)
        }
        if let out {
            try Data(rendered.utf8).write(to: URL(fileURLWithPath: out))
            FileHandle.standardError.write(Data("wrote \(format.rawValue) report to \(out)\n".utf8))
        } else {
            print(rendered, terminator: rendered.hasSuffix("\n") ? "" : "\n")
        }
    }
}
