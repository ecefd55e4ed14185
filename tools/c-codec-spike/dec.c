/* The pointer-aware patch decoder (PointerAwarePatchFormat, block mode: no LZ4 stage) in C, for a speed comparison with the Java decoder on the same pages; see run.sh. */
#include "common.h"
static const int LIT_BYTES[8] = {0,1,2,3,4,5,6,8};
static const uint64_t PMASK[9] = {0,0xFFull,0xFFFFull,0xFFFFFFull,0xFFFFFFFFull,0xFFFFFFFFFFull,0xFFFFFFFFFFFFull,0xFFFFFFFFFFFFFFull,~0ull};
static int REF_OFF[16]; /* offset relative to t index for refs 2..13 */
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
  static const int BACK[16] = {0,0,1,2,3,4,5,6,7,8,12,16,24,32,0,0};
  for (int i = 0; i < 16; i++) REF_OFF[i] = BACK[i];
  pairs_t c; const char *name = load(argv[1], &c); int np = c.np;
  uint64_t win[1024 + 2]; uint8_t *out = aligned_alloc(64, 4096 * (size_t) np);
  for (int p = 0; p < np; p++) {
    if (c.patch[p][0] != 0) { printf("page %d: flags %d\n", p, c.patch[p][0]); return 1; }
    predict(c.base[p], c.marks[p], &c.r, win);
    int e = decode_ops(c.patch[p], 1, c.len[p], win);
    if (e) { printf("page %d: error %d\n", p, e); return 1; }
    if (memcmp(win + WORDS, c.target[p], 4096)) { printf("page %d: wrong\n", p); return 1; }
  }
  double pps = BEST_RATE(400, np, {
      predict(c.base[p], c.marks[p], &c.r, win);
      decode_ops(c.patch[p], 1, c.len[p], win);
      memcpy(out + 4096 * (size_t) p, win + WORDS, 4096); });
  printf("decode %s: all %d pages exact; %.0f K pages/s = %.0f MB/s (one core, C)\n", name, np, pps / 1e3, pps * 4096 / 1e6);
  return 0;
}
