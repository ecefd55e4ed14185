/* The pointer-aware patch encoder in its block-mode setting (literals against the prediction or zero, no LZ4 stage) in C; its patches must equal the Java encoder's byte for byte; see run.sh. */
#include "common.h"
#define HASH_BITS 11
#define IDX_BITS 10
#define IDX_MASK ((1 << IDX_BITS) - 1)
#define MAX_EPOCH ((1 << (31 - IDX_BITS)) - 1)
static uint64_t win[1026]; static int32_t table[1 << HASH_BITS]; static int epoch;
static uint8_t ops[WORDS * 12 + 16]; static int pos; static uint64_t lastLit, lastDelta;
static inline int hsh(uint64_t w) { return (int) ((w * 0x9E3779B97F4A7C15ull) >> (64 - HASH_BITS)); }
static inline int runSame(int i, int d) { int n = 1; while (i + n < WORDS && win[WORDS + i + n] == win[i + n + d]) n++; return n; }
static inline void varint(int v) { if (v < 0x80) ops[pos++] = v; else { ops[pos++] = (uint8_t) (v | 0x80); ops[pos++] = (uint8_t) (v >> 7); } }
static inline void token(int kind, int n) { if (n <= 31) ops[pos++] = (kind << 5) | (n - 1); else { ops[pos++] = (kind << 5) | 31; varint(n - 32); } }
static inline int nlz(uint64_t x) { return x ? __builtin_clzll(x) : 64; }
static inline int capped(int z) { return z - (z >> 6); }
static inline int same(int64_t d, int64_t delta) { int64_t e = d ^ delta; return (int) ((((uint64_t) (e | -e)) >> 63) ^ 1) << 6; }
static inline int sameDifference(int64_t d, int64_t delta, int ref) { int s = same(d, delta); return (s << 8) | (-(s >> 6) & ((ref << 4) | 8)); }
static inline int imax(int a, int b) { return a > b ? a : b; }
static void predictionLiterals(int from, int to) {
  token(4, to - from); int q = pos; uint64_t last = lastLit; int64_t delta = (int64_t) lastDelta;
  for (int t = WORDS + from; t < WORDS + to; t++) {
    uint64_t v = win[t], pr = win[t - WORDS]; int64_t dp = (int64_t) (v - pr);
    int sub = capped(nlz((uint64_t) ((dp << 1) ^ (dp >> 63)))); int x0 = nlz(v ^ pr);
    int dox = imax((x0 << 8) | (0 << 4), (sub << 8) | (0 << 4) | 8);
    int xz = (nlz(v) << 8) | (15 << 4);
    int best = imax(imax(dox, xz), sameDifference(dp, delta, 0));
    int code = best & 0xF8;
    uint64_t zero = -(uint64_t) ((code >> 7) & 1);
    uint64_t r = pr & ~zero; last = v;
    uint64_t sb = -(uint64_t) ((code >> 3) & 1);
    int64_t d = (int64_t) (v - r);
    uint64_t x = (((uint64_t) (d << 1) ^ (uint64_t) (d >> 63)) & sb) | ((v ^ r) & ~sb);
    int64_t payload = ((int64_t) ((best >> 8) - 64)) >> 31;
    int n = ((71 - nlz(x)) >> 3) & (int) payload;
    int m = n + ((n >> 1) & (n >> 2) & n & 1);
    uint64_t update = sb & (uint64_t) payload;
    delta = (int64_t) (((uint64_t) d & update) | ((uint64_t) delta & ~update));
    ops[q] = (uint8_t) (code | (n - (n >> 3)));
    memcpy(ops + q + 1, &x, 8);
    q += 1 + m;
  }
  lastLit = last; lastDelta = (uint64_t) delta; pos = q;
}
static int encodeOps(int stamp, int limit) {
  pos = 0; lastLit = 0; lastDelta = 0; int disp = 0, litStart = -1, i = 0;
  while (i < WORDS) {
    uint64_t v = win[WORDS + i], p = win[i]; int kind = -1, len = 0, d = 0, h = -1;
    if (v == p) { len = runSame(i, 0); kind = 0; }
    else if (v == 0) { len = 1; while (i + len < WORDS && win[WORDS + i + len] == 0) len++; kind = 1; }
    else {
      if (disp != 0 && win[i + disp] == v) { len = runSame(i, disp); kind = 3; }
      h = hsh(v); int e = table[h];
      if ((e & ~IDX_MASK) == stamp) { int src = e & IDX_MASK;
        if (src < WORDS + i && win[src] == v && src - i != disp) { int l = runSame(i, src - i); if (l > len + 1) { len = l; kind = 2; d = src - i; } } }
    }
    if (kind >= 0 && kind != 2 && litStart >= 0 && len <= 2 && kind != 3) kind = -1;
    if (kind < 0) {
      if (litStart < 0) litStart = i; else if (pos + (i - litStart) > limit) return -1;
      if (h >= 0) table[h] = stamp | (WORDS + i);
      i++; continue;
    }
    if (litStart >= 0) { predictionLiterals(litStart, i); litStart = -1; }
    if (kind == 2) { token(2, len); varint((d << 1) ^ (d >> 31)); disp = d; }
    else { token(kind, len); if (kind == 0) disp = 0; }
    if (pos > limit) return -1;
    i += len;
  }
  if (litStart >= 0) predictionLiterals(litStart, WORDS);
  return pos;
}
static int encode(const uint8_t *target, const uint8_t *base, const uint64_t *marks, const reloc_t *r, uint8_t *out, int maxLength) {
  predict(base, marks, r, win); memcpy(win + WORDS, target, 4096);
  if (++epoch > MAX_EPOCH) { memset(table, 0, sizeof table); epoch = 1; }
  int stamp = epoch << IDX_BITS;
  for (int j = WORDS - 1; j >= 0; j--) table[hsh(win[j])] = stamp | j;
  int n = encodeOps(stamp, maxLength - 1);
  if (n < 0 || 1 + n > maxLength) return -1;
  out[0] = 0; memcpy(out + 1, ops, n); return 1 + n;
}
int main(int argc, char **argv) {
  pairs_t c; const char *name = load(argv[1], &c); int np = c.np;
  uint8_t out[8192]; int same_bytes = 0;
  for (int p = 0; p < np; p++) {
    int n = encode(c.target[p], c.base[p], c.marks[p], &c.r, out, 8192);
    if (n == c.len[p] && !memcmp(out, c.patch[p], n)) same_bytes++;
  }
  double pps = BEST_RATE(200, np, encode(c.target[p], c.base[p], c.marks[p], &c.r, out, 8192));
  printf("encode %s: %d of %d patches byte-identical to Java's; %.0f K pages/s = %.0f MB/s (one core, C)\n", name, same_bytes, np, pps / 1e3, pps * 4096 / 1e6);
  return same_bytes == np ? 0 : 1;
}
