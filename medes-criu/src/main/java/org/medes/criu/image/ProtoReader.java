package org.medes.criu.image;

import java.nio.file.Path;

/**
 * Reads the protobuf wire format from a slice of a byte array, strictly: a varint longer than 10
 * bytes, a length past the end of the slice, a group, field number 0 or a known field with the
 * wrong wire type is a {@link CriuImageFormatException} naming the file and the absolute offset.
 * Every read moves forward, so a loop over {@link #hasMore()} always ends.
 *
 * <p>Thread-safety: not thread-safe; one reader per message.
 */
final class ProtoReader {
    static final int VARINT = 0;
    static final int FIXED64 = 1;
    static final int LENGTH_DELIMITED = 2;
    static final int START_GROUP = 3;
    static final int END_GROUP = 4;
    static final int FIXED32 = 5;
    static final int MAX_FIELD_NUMBER = (1 << 29) - 1;

    private final byte[] buf;
    private final int end;
    private final Path file;
    /** File offset of {@code buf[0]}. */
    private final long base;
    private int pos;
    private int tagStart;

    ProtoReader(byte[] buf, int start, int end, Path file, long base) {
        if (start < 0 || end > buf.length || start > end) {
            throw new IndexOutOfBoundsException("slice " + start + ".." + end + " of " + buf.length);
        }
        this.buf = buf;
        this.pos = start;
        this.end = end;
        this.file = file;
        this.base = base;
    }

    boolean hasMore() {
        return pos < end;
    }

    /** File offset of the next byte. */
    long offset() {
        return base + pos;
    }

    Path file() {
        return file;
    }

    /** Reads a tag (field number << 3 | wire type) and checks it is well formed. */
    int readTag() throws CriuImageFormatException {
        tagStart = pos;
        long tag = readVarint();
        int wireType = (int) (tag & 7);
        long number = tag >>> 3;
        if (number == 0 || number > MAX_FIELD_NUMBER) {
            throw failAt(tagStart, "bad field number " + number);
        }
        if (wireType == START_GROUP || wireType == END_GROUP || wireType > FIXED32) {
            throw failAt(tagStart, "unsupported wire type " + wireType + " for field " + number);
        }
        return (int) tag;
    }

    static int fieldNumber(int tag) {
        return tag >>> 3;
    }

    static int wireType(int tag) {
        return tag & 7;
    }

    /** Fails unless {@code tag} has {@code wireType}; {@code name} names the field in the message. */
    void expect(int tag, int wireType, String name) throws CriuImageFormatException {
        if (wireType(tag) != wireType) {
            throw failAt(tagStart, "field " + name + " (" + fieldNumber(tag) + ") has wire type " + wireType(tag)
                    + ", expected " + wireType);
        }
    }

    long readVarint() throws CriuImageFormatException {
        int start = pos;
        long value = 0;
        for (int i = 0; i < 10; i++) {
            if (pos >= end) {
                throw failAt(start, "truncated varint");
            }
            int b = buf[pos++] & 0xff;
            if (i == 9 && b > 1) {
                throw failAt(start, "varint overflows 64 bits");
            }
            value |= (long) (b & 0x7f) << (7 * i);
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        throw failAt(start, "varint longer than 10 bytes");
    }

    /** A uint32 field: the low 32 bits of the varint, as the protobuf runtime takes them. */
    int readUint32() throws CriuImageFormatException {
        return (int) readVarint();
    }

    boolean readBool() throws CriuImageFormatException {
        return readVarint() != 0;
    }

    long readSint64() throws CriuImageFormatException {
        long v = readVarint();
        return (v >>> 1) ^ -(v & 1);
    }

    long readFixed64() throws CriuImageFormatException {
        need(8, "fixed64");
        long v = 0;
        for (int i = 7; i >= 0; i--) {
            v = (v << 8) | (buf[pos + i] & 0xffL);
        }
        pos += 8;
        return v;
    }

    int readFixed32() throws CriuImageFormatException {
        need(4, "fixed32");
        int v = (buf[pos] & 0xff) | (buf[pos + 1] & 0xff) << 8 | (buf[pos + 2] & 0xff) << 16 | (buf[pos + 3] & 0xff) << 24;
        pos += 4;
        return v;
    }

    /** Reads a length prefix and returns a reader over the embedded message, moving past it. */
    ProtoReader readMessage() throws CriuImageFormatException {
        int len = readLength();
        ProtoReader sub = new ProtoReader(buf, pos, pos + len, file, base);
        pos += len;
        return sub;
    }

    byte[] readBytes() throws CriuImageFormatException {
        int len = readLength();
        byte[] out = new byte[len];
        System.arraycopy(buf, pos, out, 0, len);
        pos += len;
        return out;
    }

    /** Skips the value of a field with {@code tag}. */
    void skipValue(int tag) throws CriuImageFormatException {
        switch (wireType(tag)) {
            case VARINT -> readVarint();
            case FIXED64 -> {
                need(8, "fixed64");
                pos += 8;
            }
            case FIXED32 -> {
                need(4, "fixed32");
                pos += 4;
            }
            case LENGTH_DELIMITED -> {
                int len = readLength(); // not "pos += readLength()": that adds to the pos read before the prefix
                pos += len;
            }
            default -> throw failAt(tagStart, "unsupported wire type " + wireType(tag));
        }
    }

    /** Skips the value of the field whose tag was just read and keeps the field verbatim in {@code unknown}. */
    void keepUnknown(int tag, UnknownFields.Builder unknown) throws CriuImageFormatException {
        int start = tagStart;
        skipValue(tag);
        byte[] raw = new byte[pos - start];
        System.arraycopy(buf, start, raw, 0, raw.length);
        unknown.add(fieldNumber(tag), raw);
    }

    /** Offset of the tag most recently read. */
    long tagOffset() {
        return base + tagStart;
    }

    private int readLength() throws CriuImageFormatException {
        int start = pos;
        long len = readVarint();
        if (len < 0 || len > end - pos) {
            throw failAt(start, "length " + Long.toUnsignedString(len) + " runs past the end of the message ("
                    + (end - pos) + " bytes left)");
        }
        return (int) len;
    }

    private void need(int n, String what) throws CriuImageFormatException {
        if (end - pos < n) {
            throw failAt(pos, "truncated " + what);
        }
    }

    CriuImageFormatException fail(String reason) {
        return new CriuImageFormatException(file, base + pos, reason);
    }

    CriuImageFormatException failAt(int bufPos, String reason) {
        return new CriuImageFormatException(file, base + bufPos, reason);
    }

    /** Fails at the start of the message when a required field is missing. */
    static CriuImageFormatException missing(Path file, long messageOffset, String message, String field) {
        return new CriuImageFormatException(file, messageOffset, message + " lacks required field " + field);
    }
}
