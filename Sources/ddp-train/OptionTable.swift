import Foundation
import Training

/// A command-line usage error: printed without a stack of context, exit status 64.
struct UsageError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// One `--name value` (or `--name=value`, or a bare `--flag`) option bound to a field of the
/// options struct `Root`. The same table parses the command line and `--config` files and
/// prints `--help`, so the three never disagree.
struct Option<Root> {
    let name: String
    /// `nil` for a flag that takes no value.
    let valueName: String?
    let help: String
    let apply: (inout Root, String) throws -> Void
    let show: (Root) -> String?

    /// `--config FILE`: read by the parser before every other option (see `parse`).
    static func configFile() -> Option {
        Option(
            name: "config", valueName: "FILE",
            help: "JSON file of option values (kebab- or snake-case keys); flags override it.",
            apply: { _, _ in }, show: { _ in nil })
    }

    static func string(_ name: String, _ key: WritableKeyPath<Root, String>, _ help: String) -> Option {
        Option(name: name, valueName: "TEXT", help: help, apply: { $0[keyPath: key] = $1 }, show: { $0[keyPath: key] })
    }
    static func path(_ name: String, _ key: WritableKeyPath<Root, String?>, _ help: String, valueName: String = "PATH")
        -> Option
    {
        Option(
            name: name, valueName: valueName, help: help, apply: { $0[keyPath: key] = $1 }, show: { $0[keyPath: key] })
    }
    static func path(_ name: String, _ key: WritableKeyPath<Root, String>, _ help: String) -> Option {
        Option(name: name, valueName: "PATH", help: help, apply: { $0[keyPath: key] = $1 }, show: { $0[keyPath: key] })
    }
    static func int(_ name: String, _ key: WritableKeyPath<Root, Int>, _ help: String) -> Option {
        Option(
            name: name, valueName: "N", help: help, apply: { $0[keyPath: key] = try parseInt($1, name) },
            show: { String($0[keyPath: key]) })
    }
    static func int(_ name: String, _ key: WritableKeyPath<Root, Int?>, _ help: String) -> Option {
        Option(
            name: name, valueName: "N", help: help, apply: { $0[keyPath: key] = try parseInt($1, name) },
            show: { $0[keyPath: key].map(String.init) })
    }
    static func double(_ name: String, _ key: WritableKeyPath<Root, Double>, _ help: String) -> Option {
        Option(
            name: name, valueName: "X", help: help, apply: { $0[keyPath: key] = try parseDouble($1, name) },
            show: { format($0[keyPath: key]) })
    }
    static func double(_ name: String, _ key: WritableKeyPath<Root, Double?>, _ help: String) -> Option {
        Option(
            name: name, valueName: "X", help: help, apply: { $0[keyPath: key] = try parseDouble($1, name) },
            show: { $0[keyPath: key].map(format) })
    }
    static func choice(_ name: String, _ key: WritableKeyPath<Root, String>, _ choices: [String], _ help: String)
        -> Option
    {
        Option(
            name: name, valueName: choices.joined(separator: "|"), help: help,
            apply: { options, value in
                guard choices.contains(value) else {
                    throw UsageError("--\(name): \"\(value)\" is not one of \(choices.joined(separator: ", "))")
                }
                options[keyPath: key] = value
            }, show: { $0[keyPath: key] })
    }
    /// One of an enumeration's cases, by raw value.
    static func choice<Value: RawRepresentable & CaseIterable>(
        _ name: String, _ key: WritableKeyPath<Root, Value>, _ help: String
    ) -> Option where Value.RawValue == String {
        let choices = Value.allCases.map(\.rawValue)
        return Option(
            name: name, valueName: choices.joined(separator: "|"), help: help,
            apply: { options, value in
                guard let parsed = Value(rawValue: value) else {
                    throw UsageError("--\(name): \"\(value)\" is not one of \(choices.joined(separator: ", "))")
                }
                options[keyPath: key] = parsed
            }, show: { $0[keyPath: key].rawValue })
    }

    /// A value of a type that parses itself from text (nil: the text says what is expected).
    static func value<Value: LosslessStringConvertible>(
        _ name: String, _ key: WritableKeyPath<Root, Value?>, _ help: String, valueName: String, expected: String
    ) -> Option {
        Option(
            name: name, valueName: valueName, help: help,
            apply: { options, text in
                guard let parsed = Value(text) else { throw UsageError("--\(name) \(text): expected \(expected)") }
                options[keyPath: key] = parsed
            }, show: { $0[keyPath: key].map(\.description) })
    }

    /// A boolean given as a value: `--name true|false`.
    static func boolean(_ name: String, _ key: WritableKeyPath<Root, Bool>, _ help: String) -> Option {
        Option(
            name: name, valueName: "true|false", help: help, apply: { $0[keyPath: key] = try parseBool($1, name) },
            show: { $0[keyPath: key] ? "true" : "false" })
    }

    /// An optional boolean given as a value: `--name true|false` (unset: decided elsewhere).
    static func optionalBoolean(_ name: String, _ key: WritableKeyPath<Root, Bool?>, _ help: String) -> Option {
        Option(
            name: name, valueName: "true|false", help: help, apply: { $0[keyPath: key] = try parseBool($1, name) },
            show: { $0[keyPath: key].map { $0 ? "true" : "false" } })
    }

    /// A flag: `--name` sets it; in a config file `true`/`false`.
    static func flag(_ name: String, _ key: WritableKeyPath<Root, Bool>, _ help: String) -> Option {
        Option(
            name: name, valueName: nil, help: help,
            apply: { options, value in
                options[keyPath: key] = value.isEmpty ? true : try parseBool(value, name)
            }, show: { $0[keyPath: key] ? "true" : "false" })
    }

    static func parseBool(_ text: String, _ name: String) throws -> Bool {
        switch text.lowercased() {
        case "true", "1", "yes": return true
        case "false", "0", "no": return false
        default: throw UsageError("--\(name): expected true or false, got \"\(text)\"")
        }
    }

    static func parseInt(_ text: String, _ name: String) throws -> Int {
        guard let value = Int(text) else { throw UsageError("--\(name): \"\(text)\" is not an integer") }
        return value
    }
    static func parseDouble(_ text: String, _ name: String) throws -> Double {
        guard let value = Double(text), value.isFinite else {
            throw UsageError("--\(name): \"\(text)\" is not a number")
        }
        return value
    }
    static func format(_ value: Double) -> String { ConfigFile.text(value) }
}

/// Parses arguments and config files against a table of options.
struct OptionParser<Root> {
    let command: String
    let summary: String
    let options: [Option<Root>]

    /// Applies `--config FILE` first (when the table has it and it is given), then every
    /// flag in order, so flags override the file and the file overrides the defaults.
    func parse(_ arguments: [String], into root: inout Root) throws {
        var pairs: [(Option<Root>, String)] = []
        var i = 0
        while i < arguments.count {
            let argument = arguments[i]
            guard argument.hasPrefix("--"), argument.count > 2 else {
                throw UsageError(
                    "unexpected argument \"\(argument)\" (options start with --; see ddp-train \(command) --help)")
            }
            var name = String(argument.dropFirst(2))
            var value: String?
            if let equals = name.firstIndex(of: "=") {
                value = String(name[name.index(after: equals)...])
                name = String(name[..<equals])
            }
            guard let option = options.first(where: { $0.name == name }) else {
                throw UsageError("unknown option --\(name)" + suggestion(for: name))
            }
            if option.valueName == nil {
                pairs.append((option, value ?? ""))
            } else {
                if value == nil {
                    guard i + 1 < arguments.count else {
                        throw UsageError("--\(name) needs a value (\(option.valueName!))")
                    }
                    i += 1
                    value = arguments[i]
                }
                pairs.append((option, value!))
            }
            i += 1
        }
        if let configPair = pairs.last(where: { $0.0.name == "config" }) {
            try applyConfigFile(configPair.1, into: &root)
        }
        for (option, value) in pairs where option.name != "config" {
            try option.apply(&root, value)
        }
    }

    /// A JSON object whose keys are option names, kebab- or snake-case (`ConfigFile`).
    func applyConfigFile(_ path: String, into root: inout Root) throws {
        let entries: [ConfigFile.Entry]
        do {
            entries = try ConfigFile.entries(path)
        } catch {
            throw UsageError(error.description)
        }
        for entry in entries {
            guard entry.name != "config", let option = options.first(where: { $0.name == entry.name }) else {
                throw UsageError("--config \(path): unknown option \"\(entry.key)\"" + suggestion(for: entry.name))
            }
            guard let value = entry.value else { continue }
            do {
                try option.apply(&root, value)
            } catch let error as UsageError {
                throw UsageError("--config \(path): \(error.description)")
            }
        }
    }

    /// " (did you mean --x?)" for the closest option name, when one is close.
    func suggestion(for name: String) -> String {
        let scored = options.map { ($0.name, editDistance($0.name, name)) }.min { $0.1 < $1.1 }
        guard let (best, distance) = scored, distance <= max(2, name.count / 3) else { return "" }
        return " (did you mean --\(best)?)"
    }

    /// The `--help` text, generated from the table with each default.
    func help(defaults: Root) -> String {
        var lines = ["usage: ddp-train \(command) [options]", "", summary, "", "options:"]
        let width = min(36, (options.map { $0.name.count + ($0.valueName.map { $0.count + 1 } ?? 0) }.max() ?? 0) + 4)
        for option in options {
            var left = "  --" + option.name + (option.valueName.map { " " + $0 } ?? "")
            if left.count < width {
                left += String(repeating: " ", count: width - left.count)
            } else {
                left += "\n" + String(repeating: " ", count: width)
            }
            var text = option.help
            if option.valueName != nil, let value = option.show(defaults), !value.isEmpty {
                text += " [default: \(value)]"
            }
            lines.append(left + text)
        }
        lines.append("  --help".padding(toLength: width, withPad: " ", startingAt: 0) + "Show this help.")
        return lines.joined(separator: "\n")
    }
}

/// Levenshtein distance, for "did you mean" suggestions.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    var previous = Array(0...b.count)
    for i in 1...max(a.count, 1) where !a.isEmpty {
        var current = [i] + Array(repeating: 0, count: b.count)
        for j in 1...max(b.count, 1) where !b.isEmpty {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        previous = current
    }
    return a.isEmpty ? b.count : previous[b.count]
}
