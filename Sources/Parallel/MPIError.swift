import CMPI

/// A failed MPI call: which call, its error code and Open MPI's own message for it.
///
/// `Communicator` sets `MPI_ERRORS_RETURN` on `MPI_COMM_WORLD`, so a failing call returns its
/// code instead of aborting inside the library; every wrapper turns that code into this
/// value. An `MPIError` is fatal for the job: the caller reports it and calls
/// `Communicator.abort(code:)`, because the other ranks may already be waiting in the next
/// collective and would otherwise hang.
public struct MPIError: Error, CustomStringConvertible, Sendable {
    /// The C function that failed, e.g. `"MPI_Allreduce"`.
    public let call: String
    /// The code the call returned.
    public let code: Int32
    /// `MPI_Error_string` of `code`.
    public let message: String

    public init(call: String, code: Int32) {
        self.call = call
        self.code = code
        self.message = MPIError.errorString(code)
    }

    public var description: String { "\(call) failed: \(message) (MPI error code \(code))" }

    /// `MPI_Error_string`; usable before `MPI_Init` and after `MPI_Finalize` (MPI 4.0 §9.1.1).
    static func errorString(_ code: Int32) -> String {
        let capacity = Int(cmpi_max_error_string()) + 1
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: capacity) { buffer in
            buffer.initialize(repeating: 0)
            var length: Int32 = 0
            guard MPI_Error_string(code, buffer.baseAddress, &length) == cmpi_success() else {
                return "unknown MPI error"
            }
            let bytes = UnsafeRawBufferPointer(start: buffer.baseAddress, count: Int(length))
            return String(decoding: bytes, as: UTF8.self)
        }
    }
}

/// Turns an MPI return code into `MPIError`. `call` is a `StaticString` so that the success
/// path allocates nothing.
@inline(__always)
func checkMPI(_ code: Int32, _ call: StaticString) throws(MPIError) {
    if code != MPI_SUCCESS_CODE { throw MPIError(call: "\(call)", code: code) }
}

/// `MPI_SUCCESS` is 0 in every MPI; read once from the header to be sure.
let MPI_SUCCESS_CODE: Int32 = cmpi_success()
