/*
 * Argon2 (RFC 9106, version 0x13) hashing into memory the caller keeps between hashes.
 *
 * Why this exists: libsodium and libargon2 map fresh memory for every hash, and where the
 * first touch of a page is expensive (virtual machines, sandboxes) that costs more than the
 * hash itself. Mailwright keeps a few pre-touched arenas and hashes into them; see
 * NativeArgon2 and docs/adr/0015-argon2-in-reused-memory.md. Written from RFC 9106 and
 * RFC 7693 (BLAKE2b); checked against RFC 9106's test vectors, libsodium and BouncyCastle.
 *
 * The compression function runs on AVX2 where the CPU has it, else in portable C (which gcc
 * -O3 vectorises well enough: 101 ms for 64 MiB, t=3 against 67 ms with AVX2 on our machine; a
 * hand-written SSE2 version measured 122 ms and was dropped).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#if defined(__x86_64__)
#include <immintrin.h>
#define MW_X86 1
#endif

#define MW_EXPORT __attribute__((visibility("default")))

#define BLOCK_BYTES 1024
#define BLOCK_WORDS 128
#define SYNC_POINTS 4

enum { ARGON2_D = 0, ARGON2_I = 1, ARGON2_ID = 2 };

enum {
    MW_OK = 0,
    MW_BAD_PARAMETERS = -1,
    MW_ARENA_TOO_SMALL = -2,
};

typedef struct { uint64_t v[BLOCK_WORDS]; } block;

/* ---------------------------------------------------------------- BLAKE2b (RFC 7693) */

static const uint64_t BLAKE2B_IV[8] = {
    0x6a09e667f3bcc908ULL, 0xbb67ae8584caa73bULL, 0x3c6ef372fe94f82bULL, 0xa54ff53a5f1d36f1ULL,
    0x510e527fade682d1ULL, 0x9b05688c2b3e6c1fULL, 0x1f83d9abfb41bd6bULL, 0x5be0cd19137e2179ULL,
};

/* The message schedule; rounds 10 and 11 use rows 0 and 1 again (r % 10). */
static const uint8_t SIGMA[10][16] = {
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
    {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
    {11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4},
    {7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8},
    {9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13},
    {2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9},
    {12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11},
    {13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10},
    {6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5},
    {10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0},
};

typedef struct {
    uint64_t h[8];
    uint64_t t;          /* bytes compressed so far (inputs here stay far below 2^64) */
    uint8_t buf[128];
    size_t fill;
    size_t outlen;
} blake2b;

static inline uint64_t rotr64(uint64_t x, unsigned n) { return (x >> n) | (x << (64 - n)); }

static inline uint64_t load64(const uint8_t *p) {
    uint64_t v;
    memcpy(&v, p, 8); /* little-endian machines only; checked at build time below */
    return v;
}

static inline void store32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }

static inline void store64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "little-endian only"
#endif

static void secure_zero(void *p, size_t n) {
    memset(p, 0, n);
    __asm__ __volatile__("" : : "r"(p) : "memory");
}

#define B2_G(r, i, a, b, c, d)                        \
    do {                                              \
        a = a + b + m[SIGMA[(r) % 10][2 * (i)]];        \
        d = rotr64(d ^ a, 32);                        \
        c = c + d;                                    \
        b = rotr64(b ^ c, 24);                        \
        a = a + b + m[SIGMA[(r) % 10][2 * (i) + 1]];    \
        d = rotr64(d ^ a, 16);                        \
        c = c + d;                                    \
        b = rotr64(b ^ c, 63);                        \
    } while (0)

static void blake2b_compress(blake2b *s, const uint8_t *in, int last) {
    uint64_t m[16], v[16];
    for (int i = 0; i < 16; i++) {
        m[i] = load64(in + 8 * i);
    }
    for (int i = 0; i < 8; i++) {
        v[i] = s->h[i];
        v[i + 8] = BLAKE2B_IV[i];
    }
    v[12] ^= s->t;
    if (last) {
        v[14] = ~v[14];
    }
    for (int r = 0; r < 12; r++) {
        B2_G(r, 0, v[0], v[4], v[8], v[12]);
        B2_G(r, 1, v[1], v[5], v[9], v[13]);
        B2_G(r, 2, v[2], v[6], v[10], v[14]);
        B2_G(r, 3, v[3], v[7], v[11], v[15]);
        B2_G(r, 4, v[0], v[5], v[10], v[15]);
        B2_G(r, 5, v[1], v[6], v[11], v[12]);
        B2_G(r, 6, v[2], v[7], v[8], v[13]);
        B2_G(r, 7, v[3], v[4], v[9], v[14]);
    }
    for (int i = 0; i < 8; i++) {
        s->h[i] ^= v[i] ^ v[i + 8];
    }
    secure_zero(m, sizeof m);
    secure_zero(v, sizeof v);
}

static void blake2b_init(blake2b *s, size_t outlen) {
    memcpy(s->h, BLAKE2B_IV, sizeof s->h);
    s->h[0] ^= 0x01010000ULL ^ (uint64_t)outlen; /* depth 1, fanout 1, no key */
    s->t = 0;
    s->fill = 0;
    s->outlen = outlen;
}

static void blake2b_update(blake2b *s, const void *data, size_t len) {
    const uint8_t *in = data;
    while (len > 0) {
        if (s->fill == sizeof s->buf) { /* more input follows: this block is not the last */
            s->t += sizeof s->buf;
            blake2b_compress(s, s->buf, 0);
            s->fill = 0;
        }
        size_t n = sizeof s->buf - s->fill;
        if (n > len) {
            n = len;
        }
        memcpy(s->buf + s->fill, in, n);
        s->fill += n;
        in += n;
        len -= n;
    }
}

static void blake2b_final(blake2b *s, uint8_t *out) {
    s->t += s->fill;
    memset(s->buf + s->fill, 0, sizeof s->buf - s->fill);
    blake2b_compress(s, s->buf, 1);
    uint8_t full[64];
    for (int i = 0; i < 8; i++) {
        store64(full + 8 * i, s->h[i]);
    }
    memcpy(out, full, s->outlen);
    secure_zero(full, sizeof full);
    secure_zero(s, sizeof *s);
}

static void blake2b_update32(blake2b *s, uint32_t v) {
    uint8_t b[4];
    store32(b, v);
    blake2b_update(s, b, 4);
}

/* H' of RFC 9106 section 3.3: a variable-length hash built from BLAKE2b. */
static void blake2b_long(uint8_t *out, uint32_t outlen, const void *in, size_t inlen) {
    blake2b s;
    if (outlen <= 64) {
        blake2b_init(&s, outlen);
        blake2b_update32(&s, outlen);
        blake2b_update(&s, in, inlen);
        blake2b_final(&s, out);
        return;
    }
    uint8_t v[64];
    blake2b_init(&s, 64);
    blake2b_update32(&s, outlen);
    blake2b_update(&s, in, inlen);
    blake2b_final(&s, v);
    memcpy(out, v, 32);
    out += 32;
    uint32_t left = outlen - 32;
    while (left > 64) {
        blake2b_init(&s, 64);
        blake2b_update(&s, v, 64);
        blake2b_final(&s, v);
        memcpy(out, v, 32);
        out += 32;
        left -= 32;
    }
    blake2b_init(&s, left);
    blake2b_update(&s, v, 64);
    blake2b_final(&s, out);
    secure_zero(v, sizeof v);
}

/* ------------------------------------------------ the compression function G (section 3.5) */

static inline uint64_t blamka(uint64_t x, uint64_t y) {
    return x + y + 2 * (uint64_t)(uint32_t)x * (uint32_t)y;
}

#define GB(a, b, c, d)                      \
    do {                                    \
        a = blamka(a, b);                   \
        d = rotr64(d ^ a, 32);              \
        c = blamka(c, d);                   \
        b = rotr64(b ^ c, 24);              \
        a = blamka(a, b);                   \
        d = rotr64(d ^ a, 16);              \
        c = blamka(c, d);                   \
        b = rotr64(b ^ c, 63);              \
    } while (0)

#define P_PORTABLE(v0, v1, v2, v3, v4, v5, v6, v7, v8, v9, v10, v11, v12, v13, v14, v15) \
    do {                                                                               \
        GB(v0, v4, v8, v12);                                                           \
        GB(v1, v5, v9, v13);                                                           \
        GB(v2, v6, v10, v14);                                                          \
        GB(v3, v7, v11, v15);                                                          \
        GB(v0, v5, v10, v15);                                                          \
        GB(v1, v6, v11, v12);                                                          \
        GB(v2, v7, v8, v13);                                                           \
        GB(v3, v4, v9, v14);                                                           \
    } while (0)

/* next = G(prev, ref), or next ^= G(prev, ref) when xor is set (passes after the first). */
static void fill_block_portable(const block *prev, const block *ref, block *next, int xor) {
    block r, t;
    for (int i = 0; i < BLOCK_WORDS; i++) {
        r.v[i] = prev->v[i] ^ ref->v[i];
        t.v[i] = xor ? r.v[i] ^ next->v[i] : r.v[i];
    }
    for (int i = 0; i < 8; i++) { /* rows: 16 consecutive words */
        uint64_t *v = r.v + 16 * i;
        P_PORTABLE(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12], v[13],
                   v[14], v[15]);
    }
    for (int i = 0; i < 8; i++) { /* columns: word pairs 2i, 2i+16, ..., 2i+112 */
        uint64_t *v = r.v + 2 * i;
        P_PORTABLE(v[0], v[1], v[16], v[17], v[32], v[33], v[48], v[49], v[64], v[65], v[80], v[81], v[96],
                   v[97], v[112], v[113]);
    }
    for (int i = 0; i < BLOCK_WORDS; i++) {
        next->v[i] = t.v[i] ^ r.v[i];
    }
}

#ifdef MW_X86

/* AVX2: a register holds four words; a row or column of sixteen words is four registers. */

__attribute__((target("avx2"))) static inline __m256i avx_blamka(__m256i x, __m256i y) {
    __m256i xy = _mm256_mul_epu32(x, y);
    return _mm256_add_epi64(_mm256_add_epi64(x, y), _mm256_add_epi64(xy, xy));
}

#define AVX_ROTR32(x) _mm256_shuffle_epi32(x, _MM_SHUFFLE(2, 3, 0, 1))
#define AVX_ROTR24(x) _mm256_shuffle_epi8(x, _mm256_setr_epi8(                          \
        3, 4, 5, 6, 7, 0, 1, 2, 11, 12, 13, 14, 15, 8, 9, 10,                            \
        3, 4, 5, 6, 7, 0, 1, 2, 11, 12, 13, 14, 15, 8, 9, 10))
#define AVX_ROTR16(x) _mm256_shuffle_epi8(x, _mm256_setr_epi8(                          \
        2, 3, 4, 5, 6, 7, 0, 1, 10, 11, 12, 13, 14, 15, 8, 9,                            \
        2, 3, 4, 5, 6, 7, 0, 1, 10, 11, 12, 13, 14, 15, 8, 9))
#define AVX_ROTR63(x) _mm256_xor_si256(_mm256_srli_epi64(x, 63), _mm256_add_epi64(x, x))

#define AVX_G(a, b, c, d)                                \
    do {                                                 \
        a = avx_blamka(a, b);                            \
        d = AVX_ROTR32(_mm256_xor_si256(d, a));          \
        c = avx_blamka(c, d);                            \
        b = AVX_ROTR24(_mm256_xor_si256(b, c));          \
        a = avx_blamka(a, b);                            \
        d = AVX_ROTR16(_mm256_xor_si256(d, a));          \
        c = avx_blamka(c, d);                            \
        b = AVX_ROTR63(_mm256_xor_si256(b, c));          \
    } while (0)

/* P on four registers a=(v0..v3) b=(v4..v7) c=(v8..v11) d=(v12..v15). */
#define AVX_P(a, b, c, d)                                             \
    do {                                                              \
        AVX_G(a, b, c, d);                                            \
        b = _mm256_permute4x64_epi64(b, _MM_SHUFFLE(0, 3, 2, 1));     \
        c = _mm256_permute4x64_epi64(c, _MM_SHUFFLE(1, 0, 3, 2));     \
        d = _mm256_permute4x64_epi64(d, _MM_SHUFFLE(2, 1, 0, 3));     \
        AVX_G(a, b, c, d);                                            \
        b = _mm256_permute4x64_epi64(b, _MM_SHUFFLE(2, 1, 0, 3));     \
        c = _mm256_permute4x64_epi64(c, _MM_SHUFFLE(1, 0, 3, 2));     \
        d = _mm256_permute4x64_epi64(d, _MM_SHUFFLE(0, 3, 2, 1));     \
    } while (0)

__attribute__((target("avx2"))) static void fill_block_avx2(const block *prev, const block *ref, block *next,
                                                            int xor) {
    __m256i r[32], t[32];
    const __m256i *p = (const __m256i *)prev->v;
    const __m256i *q = (const __m256i *)ref->v;
    __m256i *n = (__m256i *)next->v;
    for (int i = 0; i < 32; i++) {
        r[i] = _mm256_xor_si256(_mm256_loadu_si256(p + i), _mm256_loadu_si256(q + i));
        t[i] = xor ? _mm256_xor_si256(r[i], _mm256_loadu_si256(n + i)) : r[i];
    }
    for (int i = 0; i < 8; i++) { /* row i: words 16i..16i+15 = registers 4i..4i+3 */
        AVX_P(r[4 * i], r[4 * i + 1], r[4 * i + 2], r[4 * i + 3]);
    }
    /* Column i takes word pairs (2i, 2i+1) of every row: gather two rows' pairs per register. */
    uint64_t *w = (uint64_t *)r;
    for (int i = 0; i < 8; i++) {
        __m256i a = _mm256_setr_epi64x(w[2 * i], w[2 * i + 1], w[2 * i + 16], w[2 * i + 17]);
        __m256i b = _mm256_setr_epi64x(w[2 * i + 32], w[2 * i + 33], w[2 * i + 48], w[2 * i + 49]);
        __m256i c = _mm256_setr_epi64x(w[2 * i + 64], w[2 * i + 65], w[2 * i + 80], w[2 * i + 81]);
        __m256i d = _mm256_setr_epi64x(w[2 * i + 96], w[2 * i + 97], w[2 * i + 112], w[2 * i + 113]);
        AVX_P(a, b, c, d);
        uint64_t o[16];
        _mm256_storeu_si256((__m256i *)o, a);
        _mm256_storeu_si256((__m256i *)(o + 4), b);
        _mm256_storeu_si256((__m256i *)(o + 8), c);
        _mm256_storeu_si256((__m256i *)(o + 12), d);
        for (int k = 0; k < 8; k++) {
            w[2 * i + 16 * k] = o[2 * k];
            w[2 * i + 16 * k + 1] = o[2 * k + 1];
        }
    }
    for (int i = 0; i < 32; i++) {
        _mm256_storeu_si256(n + i, _mm256_xor_si256(t[i], r[i]));
    }
}

#endif /* MW_X86 */

typedef void (*fill_fn)(const block *, const block *, block *, int);

static fill_fn choose_fill(int impl) {
#ifdef MW_X86
    if (impl == 0 || impl == 2) {
        __builtin_cpu_init();
        if (__builtin_cpu_supports("avx2")) {
            return fill_block_avx2;
        }
    }
#endif
    if (impl == 2) {
        return NULL;
    }
    return fill_block_portable;
}

/* ------------------------------------------------------------------ Argon2 (section 3) */

typedef struct {
    block *memory;
    uint32_t passes, lanes, lane_length, segment_length, memory_blocks;
    int type;
    fill_fn fill;
} instance;

/* The pseudo-random values of data-independent addressing: G(0, G(0, Z)) with a counter in Z. */
static void next_addresses(const instance *in, block *address, block *input, const block *zero) {
    input->v[6]++;
    in->fill(zero, input, address, 0);
    in->fill(zero, address, address, 0);
}

static uint32_t reference_index(const instance *in, uint32_t pass, uint32_t slice, uint32_t index,
                                uint32_t j1, int same_lane) {
    uint32_t area;
    if (pass == 0) {
        if (slice == 0) {
            area = index - 1;
        } else if (same_lane) {
            area = slice * in->segment_length + index - 1;
        } else {
            area = slice * in->segment_length - (index == 0 ? 1 : 0);
        }
    } else if (same_lane) {
        area = in->lane_length - in->segment_length + index - 1;
    } else {
        area = in->lane_length - in->segment_length - (index == 0 ? 1 : 0);
    }
    uint64_t x = ((uint64_t)j1 * j1) >> 32;
    uint64_t y = ((uint64_t)area * x) >> 32;
    uint32_t relative = area - 1 - (uint32_t)y;
    uint32_t start = 0;
    if (pass != 0 && slice != SYNC_POINTS - 1) {
        start = (slice + 1) * in->segment_length;
    }
    return (uint32_t)(((uint64_t)start + relative) % in->lane_length);
}

static void fill_segment(const instance *in, uint32_t pass, uint32_t lane, uint32_t slice) {
    int independent = in->type == ARGON2_I || (in->type == ARGON2_ID && pass == 0 && slice < SYNC_POINTS / 2);
    block address, input, zero;
    if (independent) {
        memset(&zero, 0, sizeof zero);
        memset(&input, 0, sizeof input);
        input.v[0] = pass;
        input.v[1] = lane;
        input.v[2] = slice;
        input.v[3] = in->memory_blocks;
        input.v[4] = in->passes;
        input.v[5] = (uint64_t)in->type;
    }
    uint32_t start = 0;
    if (pass == 0 && slice == 0) {
        start = 2; /* the first two blocks of each lane come from H0 */
        if (independent) {
            next_addresses(in, &address, &input, &zero);
        }
    }
    uint32_t current = lane * in->lane_length + slice * in->segment_length + start;
    uint32_t previous = current % in->lane_length == 0 ? current + in->lane_length - 1 : current - 1;
    for (uint32_t i = start; i < in->segment_length; i++, current++, previous++) {
        if (current % in->lane_length == 1) {
            previous = current - 1;
        }
        uint64_t random;
        if (independent) {
            if (i % BLOCK_WORDS == 0) {
                next_addresses(in, &address, &input, &zero);
            }
            random = address.v[i % BLOCK_WORDS];
        } else {
            random = in->memory[previous].v[0];
        }
        uint32_t ref_lane = (uint32_t)((random >> 32) % in->lanes);
        if (pass == 0 && slice == 0) {
            ref_lane = lane;
        }
        uint32_t ref_index = reference_index(in, pass, slice, i, (uint32_t)random, ref_lane == lane);
        const block *ref = in->memory + (uint64_t)in->lane_length * ref_lane + ref_index;
        in->fill(in->memory + previous, ref, in->memory + current, pass != 0);
    }
    if (independent) {
        secure_zero(&address, sizeof address);
        secure_zero(&input, sizeof input);
    }
}

/*
 * Hashes into `arena` (at least blocks * 1024 octets, where blocks is m_kib rounded down to a
 * multiple of 4 * lanes) and zeroes the part it used before returning. impl: 0 the fastest this
 * CPU runs, 1 portable C, 2 AVX2 (for tests; 2 fails where the CPU lacks it).
 * Returns 0, or a negative code and writes nothing.
 */
MW_EXPORT int mw_argon2_hash(void *arena, uint64_t arena_bytes, int impl, int type, uint32_t t_cost,
                             uint32_t m_kib, uint32_t lanes, const uint8_t *pwd, uint32_t pwdlen,
                             const uint8_t *salt, uint32_t saltlen, const uint8_t *secret, uint32_t secretlen,
                             const uint8_t *ad, uint32_t adlen, uint8_t *out, uint32_t outlen) {
    if (arena == NULL || type < ARGON2_D || type > ARGON2_ID || t_cost < 1 || lanes < 1 || lanes > 0xFFFFFF
        || outlen < 4 || saltlen < 8 || (uint64_t)m_kib < 8ULL * lanes || ((uintptr_t)arena % 64) != 0) {
        return MW_BAD_PARAMETERS;
    }
    fill_fn fill = choose_fill(impl);
    if (fill == NULL) {
        return MW_BAD_PARAMETERS;
    }
    uint32_t segment = m_kib / (SYNC_POINTS * lanes);
    instance in = {
        .memory = arena,
        .passes = t_cost,
        .lanes = lanes,
        .segment_length = segment,
        .lane_length = segment * SYNC_POINTS,
        .memory_blocks = segment * SYNC_POINTS * lanes,
        .type = type,
        .fill = fill,
    };
    uint64_t used = (uint64_t)in.memory_blocks * BLOCK_BYTES;
    if (used > arena_bytes) {
        return MW_ARENA_TOO_SMALL;
    }

    uint8_t h0[64 + 8];
    blake2b s;
    blake2b_init(&s, 64);
    blake2b_update32(&s, lanes);
    blake2b_update32(&s, outlen);
    blake2b_update32(&s, m_kib);
    blake2b_update32(&s, t_cost);
    blake2b_update32(&s, 0x13);
    blake2b_update32(&s, (uint32_t)type);
    blake2b_update32(&s, pwdlen);
    blake2b_update(&s, pwd, pwdlen);
    blake2b_update32(&s, saltlen);
    blake2b_update(&s, salt, saltlen);
    blake2b_update32(&s, secretlen);
    blake2b_update(&s, secret, secretlen);
    blake2b_update32(&s, adlen);
    blake2b_update(&s, ad, adlen);
    blake2b_final(&s, h0);

    for (uint32_t l = 0; l < lanes; l++) {
        for (uint32_t j = 0; j < 2; j++) {
            store32(h0 + 64, j);
            store32(h0 + 68, l);
            blake2b_long((uint8_t *)in.memory[(uint64_t)l * in.lane_length + j].v, BLOCK_BYTES, h0, sizeof h0);
        }
    }
    secure_zero(h0, sizeof h0);

    /* Lanes run one after another within a slice: the slices are the only synchronisation points. */
    for (uint32_t pass = 0; pass < t_cost; pass++) {
        for (uint32_t slice = 0; slice < SYNC_POINTS; slice++) {
            for (uint32_t l = 0; l < lanes; l++) {
                fill_segment(&in, pass, l, slice);
            }
        }
    }

    block final;
    memcpy(&final, in.memory + in.lane_length - 1, sizeof final);
    for (uint32_t l = 1; l < lanes; l++) {
        const block *last = in.memory + (uint64_t)l * in.lane_length + in.lane_length - 1;
        for (int i = 0; i < BLOCK_WORDS; i++) {
            final.v[i] ^= last->v[i];
        }
    }
    blake2b_long(out, outlen, final.v, BLOCK_BYTES);
    secure_zero(&final, sizeof final);
    secure_zero(arena, used);
    return MW_OK;
}

/* An arena of `bytes`, every page touched now so that hashes into it never fault; NULL if refused. */
MW_EXPORT void *mw_arena_new(uint64_t bytes) {
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        return NULL;
    }
    memset(p, 0, bytes);
    return p;
}

MW_EXPORT void mw_arena_free(void *arena, uint64_t bytes) {
    if (arena != NULL) {
        munmap(arena, bytes);
    }
}

/* Which compression function impl 0 picks on this CPU: 1 portable C, 2 AVX2. */
MW_EXPORT int mw_argon2_impl(void) {
    fill_fn f = choose_fill(0);
#ifdef MW_X86
    if (f == fill_block_avx2) {
        return 2;
    }
#endif
    return 1;
}
