package org.medes.criu.compare;

import java.io.IOException;

/** Bounds-checked reading of what a {@link ByteSink} wrote; errors name the engine and the offset. */
final class ByteSource {
    private final byte[] buf;
    private final int end;
    private final String what;
    private int pos;

    ByteSource(CompareEngine.StoredBytes stored, String what) {
        this.buf = stored.bytes();
        this.end = stored.length();
        this.what = what;
    }

    int position() {
        return pos;
    }

    boolean hasMore() {
        return pos < end;
    }

    private void need(int n) throws IOException {
        if (n > end - pos) {
            throw new IOException(what + ": " + n + " bytes needed at offset " + pos + ", " + (end - pos) + " left");
        }
    }

    int get() throws IOException {
        need(1);
        return buf[pos++] & 0xFF;
    }

    int getShort() throws IOException {
        need(2);
        int v = (buf[pos] & 0xFF) | (buf[pos + 1] & 0xFF) << 8;
        pos += 2;
        return v;
    }

    int getInt() throws IOException {
        need(4);
        int v = 0;
        for (int i = 0; i < 4; i++) {
            v |= (buf[pos + i] & 0xFF) << (8 * i);
        }
        pos += 4;
        return v;
    }

    /** Skips {@code n} bytes and returns the offset where they start. */
    int skip(int n) throws IOException {
        need(n);
        int at = pos;
        pos += n;
        return at;
    }

    byte[] array() {
        return buf;
    }

    IOException error(String reason) {
        return new IOException(what + ": " + reason + " at offset " + pos);
    }
}
