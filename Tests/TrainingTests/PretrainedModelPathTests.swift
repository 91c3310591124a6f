import Foundation
import TestSupport
import Testing
import Training

/// The tests' model locator (TestSupport) follows the rule of `DefaultPaths`, which the
/// `--model` default uses, so the tests read the model the program would.
@Suite struct PretrainedModelPathTests {
    @Test func theLocatorAgreesWithDefaultPathsHere() {
        let environment = ProcessInfo.processInfo.environment
        #expect(PretrainedModel.path(environment: environment) == DefaultPaths.pretrainedModel)
    }

    @Test func explicitThenXDGThenHome() {
        let all = ["DDP_TRAIN_MODEL": "/m", "XDG_CACHE_HOME": "/x", "HOME": "/h"]
        #expect(PretrainedModel.path(environment: all) == "/m")
        #expect(
            PretrainedModel.path(environment: ["XDG_CACHE_HOME": "/x", "HOME": "/h"])
                == "/x/ddp-train/all-MiniLM-L6-v2")
        #expect(
            PretrainedModel.path(environment: ["DDP_TRAIN_MODEL": "", "XDG_CACHE_HOME": "", "HOME": "/h"])
                == "/h/.cache/ddp-train/all-MiniLM-L6-v2")
    }
}
