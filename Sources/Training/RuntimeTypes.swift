import Parallel
import Text

// The parallel runtime as the command-line program sees it: it starts MPI, hands the
// communicator to a `Trainer` or an `InferenceSession`, and reports failures. Named here so
// the program needs Training alone.
public typealias Communicator = Parallel.Communicator
public typealias ColumnSelection = Text.ColumnSelection
