// The CBLAS interface of OpenBLAS, found through pkg-config (`openblas`).
// Swift imports cblas.h directly; only OpenBLAS's thread controls are named here so that
// the module documents everything the project uses.
#ifndef DDP_TRAIN_CBLAS_SHIM_H
#define DDP_TRAIN_CBLAS_SHIM_H
#include <cblas.h>
#endif
