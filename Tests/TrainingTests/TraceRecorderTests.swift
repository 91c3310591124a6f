import Foundation
import JSON
import Model
import Testing

@testable import Training

/// The timeline's events as the Chrome trace-event format has them; the window option.
@Suite struct TraceRecorderTests {
    @Test func eventsParseWithTheRequiredFields() throws {
        let recorder = TraceRecorder(origin: 100)
        recorder.record("step 2", lane: TraceRecorder.Lane.compute, from: 100.5, to: 101.25)
        let observer = TracingObserver(inner: nil, recorder: recorder)
        observer.gradientsReady(.layer(1))
        observer.gradientsReady(.embeddings)
        recorder.recordReduction([(start: 100.75, end: 101)], from: 101, to: 101.1)
        recorder.recordReduction([], from: 101, to: 101.2)
        let text = TraceRecorder.document(recorder.events(rank: 1, host: "h\"x"))
        let value = try JSONParser.parse(text)
        guard case .array(let events) = value["traceEvents"] else {
            Issue.record("no traceEvents array")
            return
        }
        var spans: [String: (ts: Double, dur: Double, tid: Int)] = [:]
        for event in events {
            #expect(event["pid"]?.integerValue == 1 && event["tid"]?.integerValue != nil)
            guard case .string(let ph) = event["ph"], case .string(let name) = event["name"] else {
                Issue.record("event without ph or name: \(event)")
                continue
            }
            if ph == "X" {
                let ts = try #require(event["ts"]?.doubleValue), dur = try #require(event["dur"]?.doubleValue)
                spans[name] = (ts, dur, event["tid"]!.integerValue!)
            } else {
                #expect(ph == "M" && ["process_name", "process_sort_index", "thread_name"].contains(name))
            }
        }
        #expect(spans["step 2"]?.ts == 500_000 && spans["step 2"]?.dur == 750_000)
        #expect(spans["allreduce bucket 0"]?.tid == TraceRecorder.Lane.bucket(0))
        #expect(spans["allreduce bucket 0"]?.ts == 750_000 && spans["allreduce bucket 0"]?.dur == 250_000)
        #expect(spans["allreduce"]?.tid == TraceRecorder.Lane.communication)
        #expect(spans["backward layer.1"] != nil && spans["backward embeddings"] != nil)
    }

    @Test(arguments: [("2:5", 2...5), ("3:3", 3...3)])
    func window(_ text: String, _ expected: ClosedRange<Int>) {
        var options = TrainingOptions()
        options.traceSteps = text
        #expect(options.traceWindow == expected)
    }

    @Test(arguments: ["5:2", "0:3", "3", "a:b", "2:"])
    func malformedWindowIsAnOptionError(_ text: String) {
        var options = TrainingOptions()
        options.train = "train.tsv"
        options.traceSteps = text
        #expect(options.traceWindow == nil)
        #expect(throws: OptionError.self) { try options.validate(worldSize: 1) }
    }
}
