import Foundation
import JSON

/// The report's files in a run's output directory: `report.html`, and `report-data.json`
/// beside `metrics.jsonl`, from which `ddp-train report OUTPUT` rebuilds the page.
public enum ReportFiles {
    public static let page = "report.html"
    public static let data = "report-data.json"
    public static let metrics = "metrics.jsonl"

    /// Writes `text` to `path` through a temporary file in the same directory and a rename,
    /// so a reader (a browser refreshing the page) never sees half a file.
    public static func writeAtomically(_ text: String, to path: String) throws {
        let temporary = path + ".tmp-\(getpid())"
        guard FileManager.default.createFile(atPath: temporary, contents: Data(text.utf8)) else {
            throw ReportError("\(temporary): cannot be written")
        }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(atPath: temporary)
            throw ReportError("rename \(temporary) to \(path): \(reason)")
        }
    }

    /// Saves `data` as `report-data.json` and the page, both atomically.
    public static func write(records: [[String: Double]], data: ReportData, directory: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        let json = try encoder.encode(data)
        try writeAtomically(String(decoding: json, as: UTF8.self), to: directory + "/" + Self.data)
        try writeAtomically(HTMLReport.render(records: records, data: data), to: directory + "/" + page)
    }

    /// Rebuilds `directory/report.html` from `metrics.jsonl` and `report-data.json` (without
    /// it: the curves only), or a sweep's page (`SweepReport`) when the directory holds
    /// `sweep.jsonl`. Returns the page's path.
    @discardableResult
    public static func rebuild(directory: String) throws -> String {
        if SweepReport.isSweep(directory) { return try SweepReport.rebuild(directory: directory) }
        let records = try readMetrics(directory + "/" + metrics)
        var data = ReportData(title: "ddp-train: " + directory, finished: true)
        let dataPath = directory + "/" + Self.data
        if let bytes = FileManager.default.contents(atPath: dataPath) {
            let decoder = JSONDecoder()
            decoder.nonConformingFloatDecodingStrategy = .convertFromString(
                positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
            do {
                data = try decoder.decode(ReportData.self, from: bytes)
            } catch {
                throw ReportError("\(dataPath): not a report data file (\(error))")
            }
        }
        let path = directory + "/" + page
        try writeAtomically(HTMLReport.render(records: records, data: data), to: path)
        return path
    }

    /// The records of a `metrics.jsonl` (null, a non-finite value, as NaN). A torn last line
    /// (a crash mid-write) is skipped; any other line that is not a JSON object of numbers is
    /// an error naming the line.
    public static func readMetrics(_ path: String) throws -> [[String: Double]] {
        guard let bytes = FileManager.default.contents(atPath: path) else {
            throw ReportError("\(path): no such file (is this the output directory of a ddp-train run?)")
        }
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        var records: [[String: Double]] = []
        for (i, line) in lines.enumerated() where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            guard let value = try? JSONParser.parse(String(line)), let members = value.objectMembers else {
                if i == lines.count - 1 { break }
                throw ReportError("\(path):\(i + 1): not a JSON object")
            }
            var record: [String: Double] = [:]
            for member in members {
                if case .null = member.value {
                    record[member.key] = .nan
                } else if let number = member.value.doubleValue {
                    record[member.key] = number
                }
            }
            records.append(record)
        }
        return records
    }
}
