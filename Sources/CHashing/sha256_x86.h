// SHA-256's compression function on the x86 SHA extensions (SHA-NI: sha256rnds2, sha256msg1,
// sha256msg2), which Zen and Intel cores since Goldmont/Ice Lake have: about ten times the
// software rounds of Sources/Training/SHA256.swift, which hash every checkpoint file for its
// manifest. The same function as FIPS 180-4 §6.2.2, the same digests (SHA256Tests compare the
// two on every length up to a few blocks). Header only: the functions carry their own target
// features, so a build for an older CPU still compiles them, and `ddp_sha256_x86_available`
// says at run time whether the CPU can run them.
#ifndef DDP_TRAIN_SHA256_X86_H
#define DDP_TRAIN_SHA256_X86_H

#include <stddef.h>
#include <stdint.h>

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>

/// 1 when the CPU has the SHA extensions and SSSE3/SSE4.1 (CPUID leaf 7 EBX bit 29, leaf 1
/// ECX bits 9 and 19), else 0.
static inline int ddp_sha256_x86_available(void) {
    unsigned int eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return 0;
    if (!(ecx & (1u << 9)) || !(ecx & (1u << 19))) return 0;
    if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) return 0;
    return (ebx >> 29) & 1;
}

/// Runs the compression function over `count` 64-byte blocks at `blocks`; `state` is H0…H7 and
/// `k` the 64 round constants (FIPS 180-4 §4.2.2; SHA256.swift holds the one table).
/// The instructions keep the working variables as two registers, ABEF and CDGH (highest lane
/// first); each sha256rnds2 does two rounds, taking W+K for them in its third operand's low
/// lanes.
__attribute__((target("sha,sse4.1,ssse3"))) static inline void ddp_sha256_x86_compress(
    uint32_t state[8], const uint32_t k[64], const uint8_t *blocks, size_t count) {
    // Message words are big-endian: reverse the bytes of each 32-bit lane.
    const __m128i byteSwap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);

    // H0…H3 and H4…H7 (lowest lane first) into ABEF and CDGH.
    __m128i swappedABCD = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&state[0]), 0xB1);  // lanes B A D C
    __m128i reversedEFGH = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&state[4]), 0x1B);  // lanes H G F E
    __m128i abef = _mm_alignr_epi8(swappedABCD, reversedEFGH, 8);                                        // lanes F E B A
    __m128i cdgh = _mm_blend_epi16(reversedEFGH, swappedABCD, 0xF0);                                     // lanes H G D C

    for (size_t block = 0; block < count; block++) {
        const uint8_t *data = blocks + 64 * block;
        const __m128i abefBefore = abef, cdghBefore = cdgh;
        // w[j % 4] holds W[4j … 4j+3]; from the fifth group on, each replaces the group 16
        // words before it: W[t] = σ1(W[t−2]) + W[t−7] + σ0(W[t−15]) + W[t−16].
        __m128i w[4];
        for (int j = 0; j < 16; j++) {
            if (j < 4) {
                w[j] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(data + 16 * j)), byteSwap);
            } else {
                const __m128i back4 = w[j % 4], back3 = w[(j + 1) % 4], back2 = w[(j + 2) % 4],
                              back1 = w[(j + 3) % 4];
                __m128i sum = _mm_sha256msg1_epu32(back4, back3);    // W[t−16] + σ0(W[t−15])
                sum = _mm_add_epi32(sum, _mm_alignr_epi8(back1, back2, 4));  // + W[t−7]
                w[j % 4] = _mm_sha256msg2_epu32(sum, back1);         // + σ1(W[t−2])
            }
            __m128i wk = _mm_add_epi32(w[j % 4], _mm_loadu_si128((const __m128i *)&k[4 * j]));
            cdgh = _mm_sha256rnds2_epu32(cdgh, abef, wk);
            wk = _mm_shuffle_epi32(wk, 0x0E);
            abef = _mm_sha256rnds2_epu32(abef, cdgh, wk);
        }
        abef = _mm_add_epi32(abef, abefBefore);
        cdgh = _mm_add_epi32(cdgh, cdghBefore);
    }

    // Back to H0…H7.
    __m128i reversedABEF = _mm_shuffle_epi32(abef, 0x1B);  // lanes A B E F
    __m128i swappedCDGH = _mm_shuffle_epi32(cdgh, 0xB1);  // lanes G H C D
    _mm_storeu_si128((__m128i *)&state[0], _mm_blend_epi16(reversedABEF, swappedCDGH, 0xF0));  // A B C D
    _mm_storeu_si128((__m128i *)&state[4], _mm_alignr_epi8(swappedCDGH, reversedABEF, 8));     // E F G H
}

#else

static inline int ddp_sha256_x86_available(void) { return 0; }
static inline void ddp_sha256_x86_compress(
    uint32_t state[8], const uint32_t k[64], const uint8_t *blocks, size_t count) {
    (void)state, (void)k, (void)blocks, (void)count;
}

#endif
#endif
