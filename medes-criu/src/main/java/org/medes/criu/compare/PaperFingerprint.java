package org.medes.criu.compare;

import org.medes.core.page.PageSize;

import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The Medes paper's page fingerprint, as its authors' code computes it: SHA-1 of the 64-byte windows
 * of a page at a 16-byte stride (offsets 0, 16, ..., 4032), in page order, all-zero windows
 * skipped; a window is sampled when its digest, written in hex, ends in an even digit (the last
 * byte's low bit is 0); the first {@value #K} distinct sampled digests form the fingerprint. A
 * digest is kept as its first 8 bytes (big-endian), the key of the base index.
 *
 * <p>Thread-safety: not thread-safe (one {@link MessageDigest} per instance).
 */
final class PaperFingerprint {
    static final int WINDOW = 64;
    static final int STRIDE = 16;
    static final int K = 5;

    private final MessageDigest sha1;
    private final byte[] digest = new byte[20];

    PaperFingerprint() {
        try {
            sha1 = MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-1", e);
        }
    }

    /** Writes the fingerprint of the page at {@code page[off..off+4096)} into {@code out[0..)}; returns how many (0..5). */
    int fingerprint(byte[] page, int off, long[] out) {
        int n = 0;
        for (int w = 0; w + WINDOW <= PageSize.BYTES && n < K; w += STRIDE) {
            int at = off + w;
            if (allZero(page, at)) {
                continue;
            }
            sha1.update(page, at, WINDOW);
            try {
                sha1.digest(digest, 0, digest.length);
            } catch (DigestException e) {
                throw new IllegalStateException(e);
            }
            if ((digest[19] & 1) != 0) {
                continue;
            }
            long h = 0;
            for (int i = 0; i < 8; i++) {
                h = h << 8 | (digest[i] & 0xFF);
            }
            boolean dup = false;
            for (int i = 0; i < n; i++) {
                dup |= out[i] == h;
            }
            if (!dup) {
                out[n++] = h;
            }
        }
        return n;
    }

    private static boolean allZero(byte[] a, int off) {
        for (int i = off; i < off + WINDOW; i++) {
            if (a[i] != 0) {
                return false;
            }
        }
        return true;
    }
}
