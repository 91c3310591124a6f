// Vector operations that Swift's SIMD types run one lane at a time: `SIMD16<Float>.squareRoot()`
// compiles to 16 scalar square roots (vsqrtss), these to one vector instruction per register
// of the build's target (vsqrtps). Clang's ext_vector_type(16) float is Swift's SIMD16<Float>;
// the functions are inlined into their Swift callers. Results are the same bits as the scalar
// operations (IEEE square root is correctly rounded either way).
#ifndef DDP_TRAIN_VECTOR_MATH_H
#define DDP_TRAIN_VECTOR_MATH_H

typedef float ddp_float16 __attribute__((ext_vector_type(16)));

/// The square root of each lane.
static inline __attribute__((always_inline)) ddp_float16 ddp_sqrt16(ddp_float16 x) {
    return __builtin_elementwise_sqrt(x);
}

#endif
