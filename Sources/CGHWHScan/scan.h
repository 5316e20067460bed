// Sixteen-byte classifiers for the JSON projector's hot loops (GHWHJSON's
// JSONReader). Header-only and `static inline`, so Swift inlines them; SSE2
// is in every x86-64 CPU, and other targets get the same answers a byte at a
// time. Each returns a bit mask: bit k is byte p[k].
#ifndef GHWH_SCAN_H
#define GHWH_SCAN_H

#include <stdint.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/// Bytes that end the plain run of a JSON string: '"', '\\', a control
/// character (< 0x20) or the lead of a multi-byte UTF-8 sequence (>= 0x80).
static inline uint32_t ghwh_string_stops16(const uint8_t *p) {
#if defined(__SSE2__)
    __m128i v = _mm_loadu_si128((const __m128i *)p);
    __m128i quote = _mm_cmpeq_epi8(v, _mm_set1_epi8('"'));
    __m128i backslash = _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'));
    // Signed: 0x00-0x1F and 0x80-0xFF are both below 0x20.
    __m128i controlOrHigh = _mm_cmplt_epi8(v, _mm_set1_epi8(0x20));
    return (uint32_t)_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(quote, backslash), controlOrHigh));
#else
    uint32_t mask = 0;
    for (int k = 0; k < 16; k++) {
        uint8_t c = p[k];
        if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80) mask |= 1u << k;
    }
    return mask;
#endif
}

/// Bytes that are not a space (an indentation run ends at the first).
static inline uint32_t ghwh_non_spaces16(const uint8_t *p) {
#if defined(__SSE2__)
    __m128i v = _mm_loadu_si128((const __m128i *)p);
    return (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(' '))) ^ 0xFFFFu;
#else
    uint32_t mask = 0;
    for (int k = 0; k < 16; k++) {
        if (p[k] != ' ') mask |= 1u << k;
    }
    return mask;
#endif
}

#endif
