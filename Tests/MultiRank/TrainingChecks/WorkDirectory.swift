import Foundation

/// The checks' work directory: its size, and emptying it between groups of checks.
enum WorkDirectory {
    /// Bytes of the regular files under `path` (symbolic links not followed).
    static func bytes(_ path: String) -> Int {
        guard let walker = FileManager.default.enumerator(atPath: path) else { return 0 }
        var total = 0
        for case let relative as String in walker {
            let attributes = try? FileManager.default.attributesOfItem(atPath: path + "/" + relative)
            if attributes?[.type] as? FileAttributeType == .typeRegular {
                total += (attributes?[.size] as? Int) ?? 0
            }
        }
        return total
    }

    static func describe(_ bytes: Int) -> String {
        String(format: "%.1f MB", Double(bytes) / 1_000_000)
    }

    /// Removes everything under `path`, keeping the directory itself.
    static func empty(_ path: String) {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        for entry in entries { try? FileManager.default.removeItem(atPath: path + "/" + entry) }
    }
}
