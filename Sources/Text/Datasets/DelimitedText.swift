/// Splitting TSV and CSV text into records of fields, keeping line numbers.
enum DelimitedText {
    struct Record {
        var fields: [String]
        /// 1-based line where the record starts.
        var line: Int
    }

    /// TSV: one record per line (`\n` or `\r\n`), fields split at every tab, no quoting.
    static func tsvRecords(_ content: String) -> [Record] {
        var records: [Record] = []
        var line = 0
        for text in content.split(omittingEmptySubsequences: false, whereSeparator: \.isLineEnd) {
            line += 1
            if text.isEmpty { continue }
            records.append(
                Record(
                    fields: text.split(separator: "\t", omittingEmptySubsequences: false).map(String.init), line: line))
        }
        return records
    }

    /// CSV per RFC 4180: fields separated by commas, records by newlines; a field in double
    /// quotes may contain commas, newlines and doubled quotes (`""`).
    static func csvRecords(_ content: String, path: String) throws -> [Record] {
        var records: [Record] = []
        var fields: [String] = []
        var field: [UInt8] = []
        var inQuotes = false
        var afterQuote = false
        var line = 1, recordLine = 1
        let bytes = Array(content.utf8)
        var i = 0
        func endField() {
            fields.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
            afterQuote = false
        }
        func endRecord() {
            endField()
            if !(fields.count == 1 && fields[0].isEmpty) { records.append(Record(fields: fields, line: recordLine)) }
            fields.removeAll()
        }
        while i < bytes.count {
            let byte = bytes[i]
            if inQuotes {
                if byte == UInt8(ascii: "\"") {
                    if i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "\"") {
                        field.append(byte)
                        i += 1
                    } else {
                        inQuotes = false
                        afterQuote = true
                    }
                } else {
                    if byte == UInt8(ascii: "\n") { line += 1 }
                    field.append(byte)
                }
            } else {
                switch byte {
                case UInt8(ascii: ","):
                    endField()
                case UInt8(ascii: "\n"):
                    endRecord()
                    line += 1
                    recordLine = line
                case UInt8(ascii: "\r") where i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "\n"):
                    break  // the \n that follows ends the record
                case UInt8(ascii: "\""):
                    if field.isEmpty && !afterQuote {
                        inQuotes = true
                    } else {
                        throw DataError(file: path, line: line, "stray double quote inside an unquoted field")
                    }
                default:
                    if afterQuote {
                        throw DataError(file: path, line: line, "text after a closing double quote")
                    }
                    field.append(byte)
                }
            }
            i += 1
        }
        if inQuotes { throw DataError(file: path, line: recordLine, "quoted field is never closed") }
        if !field.isEmpty || !fields.isEmpty { endRecord() }
        return records
    }
}
