package org.medes.core.fingerprint;

import java.util.Arrays;

/**
 * The value-sampled fingerprint of one page: up to k chunk hashes in ascending unsigned order.
 *
 * @param hashes the hashes; the array is owned by the record
 */
public record Fingerprint(long[] hashes) {
    public Fingerprint {
        hashes = hashes.clone();
    }

    /** Number of hashes. */
    public int size() {
        return hashes.length;
    }

    @Override
    public long[] hashes() {
        return hashes.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Fingerprint f && Arrays.equals(hashes, f.hashes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(hashes);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Fingerprint[");
        for (int i = 0; i < hashes.length; i++) {
            sb.append(i == 0 ? "" : ",").append(Long.toHexString(hashes[i]));
        }
        return sb.append(']').toString();
    }
}
