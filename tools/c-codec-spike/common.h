/* What dec.c and enc.c share: the relocation of a base page's marked words (as RelocationIndex
 * and PointerMarks do it, with a plain binary search), and the page pairs Dump.java writes. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#define WORDS 512

/* the moving ranges, sorted: [s[i], e[i]) moves by d[i] */
typedef struct { uint64_t *s, *e; int64_t *d; int n; uint64_t min, max; } reloc_t;

static inline int find(const reloc_t *r, uint64_t w) {
  int lo = 0, hi = r->n - 1;
  while (lo < hi) { int mid = (lo + hi + 1) >> 1; if (r->s[mid] <= w) lo = mid; else hi = mid - 1; }
  return w >= r->s[lo] && w < r->e[lo] ? lo : -1;
}

/* win[0..512): the base page with its marked words relocated (the last range hit remembered) */
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

/* Dump.java's file: u32 ranges, (start, end, delta) each; u32 pages; per page its base page, its
 * 8 mark words, its target page, u32 patch length and the Java encoder's patch (little-endian) */
typedef struct { reloc_t r; int np; uint8_t **base, **target, **patch; uint64_t **marks; int *len; } pairs_t;

static const char *load(const char *file, pairs_t *c) {
  FILE *f = fopen(file, "rb");
  if (!f) { perror(file); exit(2); }
  fseek(f, 0, SEEK_END); long sz = ftell(f); fseek(f, 0, SEEK_SET);
  uint8_t *buf = malloc(sz + 16);
  if (fread(buf, 1, sz, f) != (size_t) sz) { fprintf(stderr, "%s: short read\n", file); exit(2); }
  fclose(f);
  uint8_t *q = buf; reloc_t *r = &c->r;
  memcpy(&r->n, q, 4); q += 4;
  r->s = malloc(8 * r->n); r->e = malloc(8 * r->n); r->d = malloc(8 * r->n);
  for (int i = 0; i < r->n; i++) { memcpy(&r->s[i], q, 8); memcpy(&r->e[i], q + 8, 8); memcpy(&r->d[i], q + 16, 8); q += 24; }
  r->min = r->n ? r->s[0] : 1; r->max = r->n ? r->e[r->n - 1] : 1;
  memcpy(&c->np, q, 4); q += 4;
  int np = c->np;
  c->base = malloc(np * sizeof *c->base); c->target = malloc(np * sizeof *c->target);
  c->patch = malloc(np * sizeof *c->patch); c->marks = malloc(np * sizeof *c->marks); c->len = malloc(np * sizeof *c->len);
  for (int p = 0; p < np; p++) {
    c->base[p] = q; q += 4096;
    c->marks[p] = malloc(64); memcpy(c->marks[p], q, 64); q += 64;
    c->target[p] = q; q += 4096;
    memcpy(&c->len[p], q, 4); q += 4;
    c->patch[p] = malloc(c->len[p] + 16); memcpy(c->patch[p], q, c->len[p]); q += c->len[p]; /* 8 bytes of slack */
  }
  const char *slash = strrchr(file, '/');
  return slash ? slash + 1 : file;
}

/* the best of five timed rounds of reps passes, in pages per second */
#define BEST_RATE(reps, np, body) ({ double best_ = 1e9; struct timespec a_, b_; \
  for (int round_ = 0; round_ < 5; round_++) { clock_gettime(CLOCK_MONOTONIC, &a_); \
    for (int k_ = 0; k_ < (reps); k_++) for (int p = 0; p < (np); p++) { body; } \
    clock_gettime(CLOCK_MONOTONIC, &b_); \
    double s_ = (b_.tv_sec - a_.tv_sec) + (b_.tv_nsec - a_.tv_nsec) / 1e9; if (s_ < best_) best_ = s_; } \
  (reps) * (double) (np) / best_; })
