package org.medes.criu.compare;

import java.util.Arrays;

/** A growing byte array the engines write their stored form into (little-endian fields). */
final class ByteSink {
    private byte[] buf;
    private int len;

    ByteSink(int capacity) {
        buf = new byte[Math.max(16, capacity)];
    }

    private void ensure(int n) {
        if (len + n > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(len + n, buf.length + (buf.length >> 1)));
        }
    }

    void put(int b) {
        ensure(1);
        buf[len++] = (byte) b;
    }

    void putShort(int v) {
        ensure(2);
        buf[len++] = (byte) v;
        buf[len++] = (byte) (v >>> 8);
    }

    void putInt(int v) {
        ensure(4);
        for (int i = 0; i < 4; i++) {
            buf[len++] = (byte) (v >>> (8 * i));
        }
    }

    void put(byte[] src, int off, int n) {
        ensure(n);
        System.arraycopy(src, off, buf, len, n);
        len += n;
    }

    int length() {
        return len;
    }

    /** Overwrites the u16 at {@code at} (already written). */
    void patchShort(int at, int v) {
        if (at < 0 || at + 2 > len) {
            throw new IndexOutOfBoundsException("u16 at " + at + " of " + len + " bytes");
        }
        buf[at] = (byte) v;
        buf[at + 1] = (byte) (v >>> 8);
    }

    /** Drops everything from offset {@code length} on. */
    void truncate(int length) {
        if (length < 0 || length > len) {
            throw new IndexOutOfBoundsException("truncate to " + length + " of " + len + " bytes");
        }
        len = length;
    }

    CompareEngine.StoredBytes toStored() {
        return new CompareEngine.StoredBytes(buf, len);
    }
}
