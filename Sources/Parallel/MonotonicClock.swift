#if canImport(Glibc)
    import Glibc
#endif

/// Seconds on `CLOCK_MONOTONIC`: for timing inside the step without an MPI call or allocation.
@inline(__always)
public func monotonicSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
}
