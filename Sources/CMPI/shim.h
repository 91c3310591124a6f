// Open MPI's C interface, found through pkg-config (`ompi-c`).
//
// Open MPI defines its handles (MPI_COMM_WORLD, MPI_FLOAT, MPI_SUM, ...) as macros that take
// the address of global structs, and MPI_IN_PLACE as a cast integer; Swift cannot import
// such macros. Each one Swift needs becomes a `static inline` function here, prefixed
// `cmpi_`. Nothing else lives in this module: the Swift wrappers are in `Parallel`.
#ifndef DDP_TRAIN_CMPI_SHIM_H
#define DDP_TRAIN_CMPI_SHIM_H
#include <mpi.h>

static inline MPI_Comm _Nonnull cmpi_comm_world(void) { return MPI_COMM_WORLD; }
static inline MPI_Comm _Nonnull cmpi_comm_null(void) { return MPI_COMM_NULL; }
static inline MPI_Datatype _Nonnull cmpi_float(void) { return MPI_FLOAT; }
static inline MPI_Datatype _Nonnull cmpi_double(void) { return MPI_DOUBLE; }
static inline MPI_Datatype _Nonnull cmpi_int64(void) { return MPI_INT64_T; }
static inline MPI_Datatype _Nonnull cmpi_uint64(void) { return MPI_UINT64_T; }
static inline MPI_Datatype _Nonnull cmpi_byte(void) { return MPI_BYTE; }
static inline MPI_Op _Nonnull cmpi_sum(void) { return MPI_SUM; }
static inline MPI_Op _Nonnull cmpi_max(void) { return MPI_MAX; }
static inline MPI_Op _Nonnull cmpi_min(void) { return MPI_MIN; }
static inline MPI_Request _Nonnull cmpi_request_null(void) { return MPI_REQUEST_NULL; }
static inline MPI_Errhandler _Nonnull cmpi_errors_return(void) { return MPI_ERRORS_RETURN; }
static inline MPI_Status * _Nullable cmpi_status_ignore(void) { return MPI_STATUS_IGNORE; }
static inline void * _Nonnull cmpi_in_place(void) { return MPI_IN_PLACE; }
static inline int cmpi_success(void) { return MPI_SUCCESS; }
static inline int cmpi_max_error_string(void) { return MPI_MAX_ERROR_STRING; }
static inline int cmpi_max_processor_name(void) { return MPI_MAX_PROCESSOR_NAME; }
static inline int cmpi_comm_type_shared(void) { return MPI_COMM_TYPE_SHARED; }
static inline MPI_Info _Nonnull cmpi_info_null(void) { return MPI_INFO_NULL; }
static inline int cmpi_thread_funneled(void) { return MPI_THREAD_FUNNELED; }
// The send type of an in-place MPI_Allgatherv (ignored, but must be a valid handle).
static inline MPI_Datatype _Nonnull cmpi_datatype_null(void) { return MPI_DATATYPE_NULL; }
// Added for the Parallel module:
// - MPI_UINT8_T / MPI_INT32_T: element types of reductions over byte flags and Int32 arrays
//   (MPI_BYTE is for moving bytes only; reduction operators are not defined on it).
// - MPI_STATUSES_IGNORE: MPI_Testall/MPI_Waitall over the handles of a chunked request.
static inline MPI_Datatype _Nonnull cmpi_uint8(void) { return MPI_UINT8_T; }
static inline MPI_Datatype _Nonnull cmpi_int32(void) { return MPI_INT32_T; }
static inline MPI_Status * _Nullable cmpi_statuses_ignore(void) { return MPI_STATUSES_IGNORE; }

// sched_getaffinity: <sched.h> declares it only under _GNU_SOURCE, which the Swift importer
// does not define, yet ThreadPlan needs the CPUs this rank may run on (Open MPI binds ranks to
// cores) to size the BLAS thread pool. The prototype is glibc's; cpu_set_t itself is always
// declared. Not MPI, but this is the package's only C shim that Parallel sees.
#include <sched.h>
static inline int cmpi_sched_getaffinity(cpu_set_t * _Nonnull set) {
    extern int sched_getaffinity(pid_t pid, size_t size, cpu_set_t *set);
    return sched_getaffinity(0, sizeof(cpu_set_t), set);
}
#endif
