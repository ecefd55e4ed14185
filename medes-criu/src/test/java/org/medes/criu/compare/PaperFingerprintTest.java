package org.medes.criu.compare;

import org.junit.jupiter.api.Test;
import org.medes.core.page.PageSize;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link PaperFingerprint} against the rule computed independently here (hex strings, as the authors' code does). */
class PaperFingerprintTest {

    private static List<Long> byTheRule(byte[] page) throws Exception {
        List<Long> out = new ArrayList<>();
        MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
        for (int w = 0; w + 64 <= PageSize.BYTES && out.size() < 5; w += 16) {
            boolean zero = true;
            for (int i = w; i < w + 64; i++) {
                zero &= page[i] == 0;
            }
            if (zero) {
                continue;
            }
            sha1.update(page, w, 64);
            StringBuilder hex = new StringBuilder();
            for (byte b : sha1.digest()) {
                hex.append(String.format("%02x", b));
            }
            if ("02468ace".indexOf(hex.charAt(hex.length() - 1)) < 0) {
                continue;
            }
            long h = Long.parseUnsignedLong(hex.substring(0, 16), 16);
            if (!out.contains(h)) {
                out.add(h);
            }
        }
        return out;
    }

    @Test
    void firstFiveDistinctEvenDigestWindowsZeroWindowsSkipped() throws Exception {
        PaperFingerprint f = new PaperFingerprint();
        long[] fp = new long[5];
        SplittableRandom r = new SplittableRandom(9);
        for (int t = 0; t < 50; t++) {
            byte[] page = new byte[PageSize.BYTES];
            int from = t % 5 == 0 ? 4000 : 0; // some pages all zero but their last 96 bytes
            for (int i = from; i < page.length; i++) {
                page[i] = (byte) (r.nextInt(4) == 0 ? r.nextInt() : 0);
            }
            int n = f.fingerprint(page, 0, fp);
            List<Long> got = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                got.add(fp[i]);
            }
            assertThat(got).isEqualTo(byTheRule(page));
        }
        assertThat(f.fingerprint(new byte[PageSize.BYTES], 0, fp)).as("a zero page has no fingerprint").isZero();
    }
}
