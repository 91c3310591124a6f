import Parallel
import Reports
import Text

// The parallel runtime as the command-line program sees it: it starts MPI, hands the
// communicator to a `Trainer` or an `InferenceSession`, and reports failures. Named here so
// the program needs Training alone.
public typealias Communicator = Parallel.Communicator
public typealias ColumnSelection = Text.ColumnSelection
/// The collective watchdog every rank starts beside MPI (`--collective-timeout`).
public typealias CollectiveWatchdog = Parallel.CollectiveWatchdog
/// `ddp-train report`: a run's report, and a sweep's, rebuilt from their files.
public typealias ReportFiles = Reports.ReportFiles
public typealias SweepReport = Reports.SweepReport
