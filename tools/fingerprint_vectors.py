#!/usr/bin/env python3
"""Writes known-answer vectors for ValueSampledFingerprinter.

An independent implementation of the sampling rule documented in
org.medes.core.fingerprint.ValueSampledFingerprinter, using the xxhash Python package
(Debian: python3-xxhash) for XXH3-64. Run from the project root:

    /usr/bin/python3 tools/fingerprint_vectors.py > medes-core/src/test/resources/fingerprint-vectors.txt

Each vector line: name k page-hex hash-hex... (hashes ascending, unsigned).
"""
import struct
import sys

import xxhash

PAGE = 4096
CHUNK = 64
MASK64 = (1 << 64) - 1


def splitmix64(seed):
    x = seed & MASK64
    while True:
        x = (x + 0x9E3779B97F4A7C15) & MASK64
        z = x
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
        yield z ^ (z >> 31)


def random_page(seed):
    g = splitmix64(seed)
    return b"".join(struct.pack("<Q", next(g)) for _ in range(PAGE // 8))


def sampled(chunk):
    v = chunk[62] | (chunk[63] << 8)
    return v != 0 and ((v * 0x9E37) & 0xFFFF) < 0x4000


def fingerprint(page, k):
    hashes = set()
    for c in range(0, PAGE, CHUNK):
        chunk = page[c:c + CHUNK]
        if sampled(chunk):
            hashes.add(xxhash.xxh3_64_intdigest(chunk, seed=0))
    return sorted(hashes)[:k]


def pointer_page(seed):
    # user-space pointers: the top two bytes of every word are zero, so no chunk is sampled
    g = splitmix64(seed)
    return b"".join(struct.pack("<Q", 0x7F0000000000 | (next(g) & 0xFFFFFFFFF8)) for _ in range(PAGE // 8))


def pages():
    yield "zero", bytes(PAGE)
    yield "random1", random_page(1)
    yield "random2", random_page(0xC0FFEE)
    yield "pointers", pointer_page(7)
    one = bytearray(PAGE)
    one[1000:1064] = random_page(3)[:64]
    one[1024 + 62] = 0x02  # make sure the chunk at 1024 ends in a sampled value
    one[1024 + 63] = 0x00
    yield "sparse", bytes(one)
    text = (b"The quick brown fox jumps over the lazy dog. " * 100)[:PAGE]
    yield "text", text
    chunk = bytearray(random_page(5)[:CHUNK])
    chunk[62:64] = b"\x02\x00"  # a sampled ending: the same chunk 64 times gives one hash
    dup = bytes(chunk) * (PAGE // CHUNK)
    yield "repeated-chunk", dup
    mixed = bytearray(pointer_page(9))
    mixed[2048:] = random_page(11)[:2048]
    yield "half-pointers", bytes(mixed)


def main():
    out = sys.stdout
    out.write("# known-answer vectors for ValueSampledFingerprinter, made by tools/fingerprint_vectors.py\n")
    out.write("# name k page-hex hashes-hex...\n")
    for name, page in pages():
        assert len(page) == PAGE
        for k in (5, 1, 64):
            fp = fingerprint(page, k)
            out.write(" ".join([name, str(k), page.hex()] + ["%016x" % h for h in fp]) + "\n")


if __name__ == "__main__":
    main()
