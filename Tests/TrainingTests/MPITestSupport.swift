import Foundation
import Parallel

/// A singleton MPI communicator for the tests of one process, and the one thread allowed to
/// call MPI (the communicator is initialised `MPI_THREAD_FUNNELED` and checks the calling
/// thread): test bodies that touch MPI run through `MPITestThread.run`, one at a time.
final class MPITestThread: @unchecked Sendable {
    static let shared = MPITestThread()

    private let condition = NSCondition()
    private var job: (() -> Void)?
    private var communicator: Communicator?

    private init() {
        let thread = Thread { [unowned self] in self.serve() }
        thread.start()
    }

    private func serve() {
        do {
            let made = try Communicator()
            condition.lock()
            communicator = made
            condition.broadcast()
            condition.unlock()
        } catch {
            fatalError("MPI could not start in the test process: \(error)")
        }
        while true {
            condition.lock()
            while job == nil { condition.wait() }
            let work = job!
            condition.unlock()
            work()
            condition.lock()
            job = nil
            condition.broadcast()
            condition.unlock()
        }
    }

    /// Runs `body` with the communicator on the MPI thread and returns its result.
    static func run<T>(_ body: @escaping (Communicator) throws -> T) throws -> T {
        let thread = shared
        nonisolated(unsafe) var result: Result<T, Error>?
        thread.condition.lock()
        while thread.communicator == nil || thread.job != nil { thread.condition.wait() }
        let communicator = thread.communicator!
        thread.job = { result = Result { try body(communicator) } }
        thread.condition.broadcast()
        while result == nil { thread.condition.wait() }
        thread.condition.unlock()
        return try result!.get()
    }
}
