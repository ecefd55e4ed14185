/* The pointer-aware patch decoder (PointerAwarePatchFormat, block mode: no LZ4 stage) in C, for a speed comparison with the Java decoder on the same pages; see run.sh. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#define WORDS 512
typedef struct { uint64_t *s, *e; int64_t *d; int n; uint64_t min, max; } reloc_t;
static const int LIT_BYTES[8] = {0,1,2,3,4,5,6,8};
static const uint64_t PMASK[9] = {0,0xFFull,0xFFFFull,0xFFFFFFull,0xFFFFFFFFull,0xFFFFFFFFFFull,0xFFFFFFFFFFFFull,0xFFFFFFFFFFFFFFull,~0ull};
static int REF_OFF[16]; /* offset relative to t index for refs 2..13 */
static inline int find(const reloc_t *r, uint64_t w) {
  int lo = 0, hi = r->n - 1;
  while (lo < hi) { int mid = (lo + hi + 1) >> 1; if (r->s[mid] <= w) lo = mid; else hi = mid - 1; }
  return w >= r->s[lo] && w < r->e[lo] ? lo : -1;
}
static void predict(const uint8_t *base, const uint64_t *marks, const reloc_t *r, uint64_t *win) {
  memcpy(win, base, 4096);
  uint64_t hs = 0, hl = 0; int64_t hd = 0;
  for (int g = 0; g < 8; g++) {
    uint64_t in = marks[g];
    while (in) {
      int k = (g << 6) + __builtin_ctzll(in); in &= in - 1;
      uint64_t w = win[k];
      if (w - hs < hl) win[k] = w + hd;
      else if (w - r->min < r->max - r->min) {
        int i = find(r, w);
        if (i >= 0) { hs = r->s[i]; hl = r->e[i] - hs; hd = r->d[i]; win[k] = w + hd; }
      }
    }
  }
}
/* returns 0 or an error code */
static int decode_ops(const uint8_t *s, int p, int end, uint64_t *w) {
  int i = 0, disp = 0; uint64_t lastDelta = 0, lastLit = 0;
  while (i < WORDS) {
    if (p >= end) return 1;
    int tok = s[p++]; int kind = tok >> 5; int n = (tok & 31) + 1;
    if (n - 1 == 31) {
      if (p >= end) return 2;
      int v = s[p] & 0x7F;
      if (s[p++] & 0x80) { if (p >= end || (s[p] & 0x80)) return 3; v |= s[p++] << 7; }
      n = 32 + v;
    }
    if (n > WORDS - i) return 4;
    int t = WORDS + i;
    switch (kind) {
      case 0: memcpy(w + t, w + i, n * 8); disp = 0; break;
      case 1: memset(w + t, 0, n * 8); break;
      case 2: case 3: {
        if (kind == 2) {
          if (p >= end) return 5;
          int v = s[p] & 0x7F;
          if (s[p++] & 0x80) { if (p >= end || (s[p] & 0x80)) return 6; v |= s[p++] << 7; }
          int d = (v >> 1) ^ -(v & 1);
          if (i + d < 0 || d >= WORDS) return 7;
          disp = d;
        }
        int from = i + disp;
        for (int k = 0; k < n; k++) w[t + k] = w[from + k];
        break;
      }
      case 4: {
        for (int tk = t; tk < t + n; tk++) {
          if (p >= end) return 8;
          int h = s[p++]; int nb = LIT_BYTES[h & 7];
          if (nb > end - p) return 9;
          uint64_t x; memcpy(&x, s + p, 8); x &= PMASK[nb]; /* s has 8 bytes of slack */
          p += nb;
          int rc = h >> 4; uint64_t ref;
          switch (rc) {
            case 0: ref = w[tk - WORDS]; break;
            case 1: ref = w[tk - WORDS + disp]; break;
            case 14: ref = lastLit; break;
            case 15: ref = 0; break;
            default: ref = w[tk - REF_OFF[rc]]; break;
          }
          uint64_t v;
          if (h & 8) { if (nb) lastDelta = (x >> 1) ^ -(x & 1); v = ref + lastDelta; }
          else v = ref ^ x;
          w[tk] = v; lastLit = v;
        }
        break;
      }
      default: return 10;
    }
    i += n;
  }
  return p == end ? 0 : 11;
}
int main(int argc, char **argv) {
  const char *name = strrchr(argv[1], '/') ? strrchr(argv[1], '/') + 1 : argv[1];
  static const int BACK[16] = {0,0,1,2,3,4,5,6,7,8,12,16,24,32,0,0};
  for (int i = 0; i < 16; i++) REF_OFF[i] = BACK[i];
  FILE *f = fopen(argv[1], "rb"); fseek(f, 0, SEEK_END); long sz = ftell(f); fseek(f, 0, SEEK_SET);
  uint8_t *buf = malloc(sz + 16); fread(buf, 1, sz, f); fclose(f);
  uint8_t *q = buf; reloc_t r; memcpy(&r.n, q, 4); q += 4;
  r.s = malloc(8 * r.n); r.e = malloc(8 * r.n); r.d = malloc(8 * r.n);
  for (int i = 0; i < r.n; i++) { memcpy(&r.s[i], q, 8); memcpy(&r.e[i], q + 8, 8); memcpy(&r.d[i], q + 16, 8); q += 24; }
  r.min = r.n ? r.s[0] : 1; r.max = r.n ? r.e[r.n - 1] : 1;
  int np; memcpy(&np, q, 4); q += 4;
  uint8_t **bp = malloc(np * sizeof *bp), **tp = malloc(np * sizeof *tp), **pp = malloc(np * sizeof *pp); uint64_t **mp = malloc(np * sizeof *mp); int *pl = malloc(np * sizeof *pl);
  for (int p = 0; p < np; p++) {
    bp[p] = q; q += 4096; mp[p] = malloc(64); memcpy(mp[p], q, 64); q += 64; tp[p] = q; q += 4096;
    memcpy(&pl[p], q, 4); q += 4; pp[p] = malloc(pl[p] + 16); memcpy(pp[p], q, pl[p]); q += pl[p];
  }
  uint64_t win[1024 + 2]; uint8_t *out = aligned_alloc(64, 4096 * (size_t) np);
  for (int p = 0; p < np; p++) {
    if (pp[p][0] != 0) { printf("page %d: flags %d\n", p, pp[p][0]); return 1; }
    predict(bp[p], mp[p], &r, win);
    int e = decode_ops(pp[p], 1, pl[p], win);
    if (e) { printf("page %d: error %d\n", p, e); return 1; }
    if (memcmp(win + WORDS, tp[p], 4096)) { printf("page %d: wrong\n", p); return 1; }
  }
  int reps = 400; struct timespec a, b; double best = 1e9;
  for (int round = 0; round < 5; round++) {
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (int k = 0; k < reps; k++) for (int p = 0; p < np; p++) {
      predict(bp[p], mp[p], &r, win);
      decode_ops(pp[p], 1, pl[p], win);
      memcpy(out + 4096 * (size_t) p, win + WORDS, 4096);
    }
    clock_gettime(CLOCK_MONOTONIC, &b);
    double s = (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
    if (s < best) best = s;
  }
  double pps = reps * (double) np / best;
  printf("decode %s: all %d pages exact; %.0f K pages/s = %.0f MB/s (one core, C)\n", name, np, pps / 1e3, pps * 4096 / 1e6);
  return 0;
}
