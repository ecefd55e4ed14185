package org.medes.criu.image;

import java.util.Arrays;
import java.util.List;

/**
 * Writes the protobuf wire format as protobuf-c does: fields in ascending field number order,
 * shortest varints, non-packed repeated fields. Unknown fields handed to {@link #ProtoWriter(UnknownFields)}
 * are written verbatim, each before the first known field with a higher number, so a message read
 * from a CRIU image is written back byte for byte.
 *
 * <p>Thread-safety: not thread-safe.
 */
final class ProtoWriter {
    private byte[] buf = new byte[64];
    private int len;
    private final List<UnknownFields.Field> unknown;
    private int nextUnknown;

    ProtoWriter(UnknownFields unknown) {
        this.unknown = unknown.fields();
    }

    ProtoWriter() {
        this(UnknownFields.NONE);
    }

    void uint64(int field, long value) {
        tag(field, ProtoReader.VARINT);
        varint(value);
    }

    /** A uint32 field; {@code value} is taken as unsigned. */
    void uint32(int field, int value) {
        uint64(field, value & 0xffffffffL);
    }

    /** An int32 field: negative values take ten bytes, as in protobuf. */
    void int32(int field, int value) {
        uint64(field, value);
    }

    void bool(int field, boolean value) {
        uint64(field, value ? 1 : 0);
    }

    void sint64(int field, long value) {
        uint64(field, (value << 1) ^ (value >> 63));
    }

    void bytes(int field, byte[] value) {
        tag(field, ProtoReader.LENGTH_DELIMITED);
        varint(value.length);
        raw(value, 0, value.length);
    }

    /** Writes the unknown fields not yet written; call once after the last known field. */
    byte[] finish() {
        flushUnknownBelow(Integer.MAX_VALUE);
        return Arrays.copyOf(buf, len);
    }

    private void tag(int field, int wireType) {
        flushUnknownBelow(field);
        varint(((long) field << 3) | wireType);
    }

    private void flushUnknownBelow(int field) {
        while (nextUnknown < unknown.size() && unknown.get(nextUnknown).number() < field) {
            byte[] r = unknown.get(nextUnknown++).raw();
            raw(r, 0, r.length);
        }
    }

    private void varint(long v) {
        ensure(10);
        while ((v & ~0x7fL) != 0) {
            buf[len++] = (byte) ((v & 0x7f) | 0x80);
            v >>>= 7;
        }
        buf[len++] = (byte) v;
    }

    private void raw(byte[] b, int off, int n) {
        ensure(n);
        System.arraycopy(b, off, buf, len, n);
        len += n;
    }

    private void ensure(int n) {
        if (len + n > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
        }
    }
}
