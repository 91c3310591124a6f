import Foundation

/// `--trace-steps`: the timeline parses as the Chrome trace-event format requires, spans nest
/// on every lane of every rank, and with overlap on every bucket's allreduce starts inside
/// the backward span of its step (and some finish there), while the flat allreduce runs after
/// backward.
enum TraceChecks {
    struct Span {
        var name: String
        var pid: Int
        var tid: Int
        var begin: Double
        var end: Double
    }

    static func run(_ h: inout Harness) {
        for overlap in [true, false] {
            let output = h.work + "/trace-\(overlap)"
            let outcome = h.run(
                ranks: 2,
                h.trainArguments(
                    output: output, steps: 4,
                    extra: [
                        "--overlap-communication", "\(overlap)", "--bucket-size-mb", "4", "--trace-steps", "2:3",
                        "--validation", h.demo + "/validation.tsv", "--eval-steps", "3", "--save-steps", "3",
                    ]))
            h.check(outcome.status == 0, "trace (overlap \(overlap)): train with --trace-steps 2:3", outcome.output)
            ReportChecks.breakdown(&h, output: output, ranks: 2, label: "overlap \(overlap)")
            ReportChecks.doneLine(&h, log: outcome.output, steps: 4, batch: 16, label: "overlap \(overlap)")
            let (spans, problems) = parse(output + "/trace.json")
            h.check(
                problems.isEmpty && Set(spans.map(\.pid)) == [0, 1],
                "trace (overlap \(overlap)): trace.json has traceEvents, named ranks 0 and 1, X spans with ts/dur",
                problems.joined(separator: "\n"))
            let names = Set(spans.map(\.name))
            let expected = ["step 2", "step 3", "forward", "backward", "backward layer.0", "optimizer", "evaluation"]
            h.check(
                expected.allSatisfy(names.contains) && names.contains("checkpoint"),
                "trace (overlap \(overlap)): steps 2–3, forward, backward per layer, optimizer, evaluation, checkpoint",
                "\(names.sorted())")
            let nesting = nestingProblems(spans)
            h.check(
                nesting.isEmpty, "trace (overlap \(overlap)): spans nest on every lane", nesting.joined(separator: "\n")
            )
            let backward = spans.filter { $0.name == "backward" }
            func within(_ s: Span) -> Span? {
                backward.first { $0.pid == s.pid && $0.begin <= s.begin + 1e-3 && s.begin <= $0.end + 1e-3 }
            }
            if overlap {
                let buckets = spans.filter { $0.name.hasPrefix("allreduce bucket") }
                let inside = buckets.filter { s in within(s).map { s.end <= $0.end + 1e-3 } ?? false }
                h.check(
                    !buckets.isEmpty && buckets.allSatisfy { within($0) != nil } && Set(inside.map(\.pid)) == [0, 1],
                    "trace (overlap): every bucket allreduce starts inside backward; \(inside.count) of "
                        + "\(buckets.count) lie wholly inside it",
                    buckets.map { "\($0.pid) \($0.name) \($0.begin)–\($0.end)" }.joined(separator: "\n"))
            } else {
                let flat = spans.filter { $0.name == "allreduce" }
                h.check(
                    flat.count == 4
                        && flat.allSatisfy { s in backward.contains { $0.pid == s.pid && $0.end <= s.begin + 1e-3 } },
                    "trace (no overlap): one flat allreduce per step and rank, after backward", "\(flat.count)")
            }
        }
    }

    /// The X spans of a trace file, and what breaks the format.
    static func parse(_ path: String) -> ([Span], [String]) {
        guard let data = FileManager.default.contents(atPath: path),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let events = object["traceEvents"] as? [[String: Any]]
        else { return ([], ["\(path): not a JSON object with a traceEvents array"]) }
        var spans: [Span] = [], problems: [String] = [], named = Set<Int>()
        for event in events {
            let ph = event["ph"] as? String, pid = event["pid"] as? Int, tid = event["tid"] as? Int
            guard let ph, let pid, tid != nil, event["name"] is String else {
                problems.append("event without ph/name/pid/tid: \(event)")
                continue
            }
            if ph == "M" {
                if event["name"] as? String == "process_name", (event["args"] as? [String: Any])?["name"] is String {
                    named.insert(pid)
                }
            } else if ph == "X", let ts = event["ts"] as? Double, let dur = event["dur"] as? Double, dur >= 0 {
                spans.append(Span(name: event["name"] as! String, pid: pid, tid: tid!, begin: ts, end: ts + dur))
            } else {
                problems.append("not an M event or an X span with ts and dur: \(event)")
            }
        }
        if named != Set(spans.map(\.pid)) { problems.append("process_name metadata for \(named.sorted()) only") }
        return (spans, problems)
    }

    /// Spans of one lane that overlap without one containing the other.
    static func nestingProblems(_ spans: [Span]) -> [String] {
        var problems: [String] = []
        for lane in Set(spans.map { "\($0.pid)/\($0.tid)" }) {
            let sorted = spans.filter { "\($0.pid)/\($0.tid)" == lane }
                .sorted { $0.begin != $1.begin ? $0.begin < $1.begin : $0.end > $1.end }
            var open: [Span] = []
            for span in sorted {
                while let top = open.last, top.end <= span.begin + 1e-3 { open.removeLast() }
                if let top = open.last, span.end > top.end + 1e-3 {
                    problems.append("lane \(lane): \(span.name) \(span.begin)–\(span.end) crosses \(top.name)")
                }
                open.append(span)
            }
        }
        return problems
    }
}
