import Foundation
import JSON
import Parallel

/// The hyper-parameters a sweep varies: train options (kebab- or snake-case names) with a
/// list of values, a numeric range, or a choice, read from a JSON object in file order:
///
///     {"learning-rate": [1e-5, 3e-5, 1e-4],            list: grid (or drawn from, at random)
///      "warmup_ratio": {"low": 0.0, "high": 0.2},      range (random only)
///      "weight-decay": {"low": 1e-4, "high": 1e-1, "log": true},
///      "lr-scheduler": {"choice": ["linear", "cosine"]}}
///
/// Values are kept as command-line text, applied to the base options as `--name value` would be.
public struct SearchSpace: Sendable, Equatable {
    public enum Dimension: Sendable, Equatable {
        case values([String])
        case range(low: Double, high: Double, log: Bool)
    }

    public var names: [String]
    public var dimensions: [Dimension]

    /// One trial: option names and values, in the space's order.
    public typealias Trial = [(name: String, value: String)]

    public init(names: [String], dimensions: [Dimension]) {
        self.names = names
        self.dimensions = dimensions
    }

    public static func read(_ path: String) throws -> SearchSpace {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw OptionError("--space \(path): no such file or it cannot be read")
        }
        let value: JSONValue
        do {
            value = try JSONParser.parse(Array(data))
        } catch {
            throw OptionError("--space \(path): not valid JSON (\(error.description))")
        }
        guard let members = value.objectMembers, !members.isEmpty else {
            throw OptionError("--space \(path): expected a JSON object of option names to values, ranges or choices")
        }
        var space = SearchSpace(names: [], dimensions: [])
        for member in members {
            space.names.append(member.key.replacingOccurrences(of: "_", with: "-"))
            space.dimensions.append(try dimension(member.value, key: member.key, path: path))
        }
        return space
    }

    private static func dimension(_ value: JSONValue, key: String, path: String) throws -> Dimension {
        func fail(_ what: String) -> OptionError { OptionError("--space \(path): \"\(key)\": \(what)") }
        func texts(_ elements: [JSONValue]) throws -> [String] {
            guard !elements.isEmpty else { throw fail("an empty list") }
            return try elements.map {
                switch $0 {
                case .string(let text), .number(let text): return text
                case .bool(let flag): return flag ? "true" : "false"
                default: throw fail("values must be strings, numbers or booleans, found \($0.typeName)")
                }
            }
        }
        switch value {
        case .array(let elements): return .values(try texts(elements))
        case .object:
            if case .array(let elements)? = value["choice"] { return .values(try texts(elements)) }
            guard let low = value["low"]?.doubleValue, let high = value["high"]?.doubleValue, low <= high else {
                throw fail("expected a list, {\"choice\": [...]} or {\"low\": a, \"high\": b} with a ≤ b")
            }
            let log = value["log"] == .bool(true)
            if log && low <= 0 { throw fail("a log range needs low > 0") }
            return .range(low: low, high: high, log: log)
        default:
            throw fail("expected a list, {\"choice\": [...]} or {\"low\": a, \"high\": b}, found \(value.typeName)")
        }
    }

    /// Every combination of the lists, numbered from 0 in row-major order over the names as
    /// the file lists them (the last name varies fastest). Ranges cannot be gridded.
    public func grid() throws -> [Trial] {
        var lists: [[String]] = []
        for (name, dimension) in zip(names, dimensions) {
            guard case .values(let values) = dimension else {
                throw OptionError("--scheduler grid: \"\(name)\" is a range; give a list, or use --scheduler random")
            }
            lists.append(values)
        }
        var trials: [Trial] = [[]]
        for (name, values) in zip(names, lists) {
            trials = trials.flatMap { trial in values.map { trial + [(name, $0)] } }
        }
        return trials
    }

    /// `count` trials drawn from `seed`: a list or choice uniformly, a range uniformly (or
    /// log-uniformly), each trial from its own stream of the seed.
    public func random(count: Int, seed: UInt64) -> [Trial] {
        (0..<count).map { index in
            var random = SplitMix64(seed: SplitMix64.mix(seed) ^ SplitMix64.mix(UInt64(index) &+ 0x5EED))
            return zip(names, dimensions).map { name, dimension in
                switch dimension {
                case .values(let values): return (name, values[random.next(below: values.count)])
                case .range(let low, let high, let log):
                    let u = Double(random.next() >> 11) / Double(1 << 53)
                    let x =
                        log
                        ? Foundation.exp(Foundation.log(low) + u * (Foundation.log(high) - Foundation.log(low)))
                        : low + u * (high - low)
                    return (name, JSON.number(x))
                }
            }
        }
    }
}
