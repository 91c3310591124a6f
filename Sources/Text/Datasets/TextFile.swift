import Foundation

/// A data file's text, as every reader takes it: UTF-8 with a byte order mark dropped; a
/// missing, unreadable or non-UTF-8 file is a `DataError` naming it.
public enum TextFile {
    public static func read(_ path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DataError(
                file: path, FileManager.default.fileExists(atPath: path) ? "cannot be read" : "no such file")
        }
        guard var content = String(data: data, encoding: .utf8) else {
            throw DataError(file: path, "is not valid UTF-8")
        }
        if content.hasPrefix("\u{FEFF}") { content.removeFirst() }
        return content
    }
}
