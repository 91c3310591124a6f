import Foundation
import Model
import Testing

@testable import Training

/// PEFT picks the model class from `task_type`: a per-token head must say `TOKEN_CLS`, or
/// `PeftModel.from_pretrained` puts the adapters on a sequence classifier.
@Suite struct AdapterConfigTests {
    static func taskType(_ head: TaskHead) throws -> String? {
        let lora = LoRAConfiguration(rank: 4, alpha: 8, targets: [.query, .value])
        let text = ModelDirectory.adapterConfigJSON(lora, head: head, baseModel: "base")
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
        return object?["task_type"] as? String
    }

    @Test func taskTypeFollowsTheHead() throws {
        #expect(try Self.taskType(.sequence(outputs: 2)) == "SEQ_CLS")
        #expect(try Self.taskType(.token(outputs: 5)) == "TOKEN_CLS")
    }
}
