import Foundation
import GHWHCalendar

/// Writes the files of each (day, dataset) as the layout says, pulling records from a
/// cursor, and keeps the running totals for the summary and progress reports.
final class CorpusWriter {
    let world: SampleWorld
    let root: String
    let progress: ((SampleDataProgress) -> Void)?
    private(set) var files = 0
    private(set) var records = 0
    private(set) var uncompressedBytes: Int64 = 0
    private(set) var compressedBytes: Int64 = 0
    private var lastReportedBytes: Int64 = 0
    private static let reportEvery: Int64 = 16 << 20

    init(world: SampleWorld, root: String, progress: ((SampleDataProgress) -> Void)?) {
        self.world = world
        self.root = root
        self.progress = progress
    }

    func writeDay(_ day: Int, dataset: RecordDataset, layout: DayLayout) throws {
        let date = world.dateString(day)
        let directory = root + "/" + dataset.directoryName + "/" + date
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var cursor = RecordCursor(world: world, dataset: dataset, day: day)
        var document = 0
        for (index, file) in layout.files.enumerated() {
            let base = "\(dataset.directoryName)-\(date)-\(String(format: "%03d", index))"
            let path = directory + "/" + base + "." + file.format.fileExtension
            let output = try FileOutput(path: path)
            switch file.format {
            case .json, .jsonLines:
                try writeDocument(
                    layout.recordsInDocument(document), style: file.format.style, dataset: dataset, cursor: &cursor,
                    sink: output)
                document += 1
                try output.close()
            case .gzip:
                let gzip = try DeflateStream(output: output, framing: .gzip)
                try writeDocument(
                    layout.recordsInDocument(document), style: .compactArray, dataset: dataset, cursor: &cursor,
                    sink: gzip)
                document += 1
                try gzip.finish()
                try output.close()
            case .zip:
                let zip = ZipArchiveWriter(output: output, modified: CivilCalendar.civilFromDays(world.firstDay + day))
                // A README entry sits first in some zips and last in others.
                let readmeFirst = file.readme && index % 2 == 0
                if readmeFirst { try zip.addEntry(name: "README.txt", contents: readme(dataset: dataset, date: date)) }
                for entryIndex in 0..<file.documents {
                    let entry = try zip.beginEntry(name: "\(base)-\(entryIndex + 1).json")
                    try writeDocument(
                        layout.recordsInDocument(document), style: .prettyArray, dataset: dataset, cursor: &cursor,
                        sink: entry)
                    document += 1
                    try zip.finishEntry(entry)
                }
                if file.readme && !readmeFirst {
                    try zip.addEntry(name: "README.txt", contents: readme(dataset: dataset, date: date))
                }
                try zip.finish()
            }
            files += 1
            compressedBytes += output.offset
            report()
        }
    }

    private func writeDocument(
        _ count: Int, style: DocumentStyle, dataset: RecordDataset,
        cursor: inout RecordCursor, sink: ByteSink
    ) throws {
        var encoder = DocumentEncoder(style: style, dataset: dataset, sink: sink)
        var flushed: Int64 = 0
        for _ in 0..<count {
            guard let content = cursor.next() else { break }
            try encoder.add(content)
            records += 1
            if encoder.bytesWritten - flushed >= CorpusWriter.reportEvery / 4 {
                uncompressedBytes += encoder.bytesWritten - flushed
                flushed = encoder.bytesWritten
                if uncompressedBytes - lastReportedBytes >= CorpusWriter.reportEvery { report() }
            }
        }
        try encoder.finish()
        uncompressedBytes += encoder.bytesWritten - flushed
    }

    private func report() {
        lastReportedBytes = uncompressedBytes
        progress?(SampleDataProgress(bytesWritten: uncompressedBytes, files: files, records: records))
    }

    private func readme(dataset: RecordDataset, date: String) -> String {
        "GitHub \(dataset.directoryName) snapshot pulled on \(date).\nGenerated sample data (ghwh). Not a JSON document: loaders must skip this entry.\n"
    }
}
