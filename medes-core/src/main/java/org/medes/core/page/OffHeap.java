package org.medes.core.page;

import net.openhft.chronicle.core.UnsafeMemory;
import sun.misc.Unsafe;

/** Raw access to off-heap memory owned by Chronicle Bytes stores; for this library's hot paths only. */
public final class OffHeap {
    private static final Unsafe U = UnsafeMemory.UNSAFE;
    private static final long BYTE_ARRAY_BASE = Unsafe.ARRAY_BYTE_BASE_OFFSET;
    private static final long LONG_ARRAY_BASE = Unsafe.ARRAY_LONG_BASE_OFFSET;
    private static final boolean LITTLE_ENDIAN = java.nio.ByteOrder.nativeOrder() == java.nio.ByteOrder.LITTLE_ENDIAN;

    private OffHeap() {
    }

    /** Copies {@code length} bytes from native {@code address} into {@code dst[off..]}. */
    public static void copyToArray(long address, byte[] dst, int off, int length) {
        if (off < 0 || length < 0 || off + length > dst.length) {
            throw new IndexOutOfBoundsException("off=" + off + " length=" + length + " array=" + dst.length);
        }
        U.copyMemory(null, address, dst, BYTE_ARRAY_BASE + off, length);
    }

    /** Copies {@code length} bytes from {@code src[off..]} to native {@code address}. */
    public static void copyFromArray(byte[] src, int off, long address, int length) {
        if (off < 0 || length < 0 || off + length > src.length) {
            throw new IndexOutOfBoundsException("off=" + off + " length=" + length + " array=" + src.length);
        }
        U.copyMemory(src, BYTE_ARRAY_BASE + off, null, address, length);
    }

    /** Copies {@code longs} longs from {@code src[off..]} to native {@code address}, in native byte order. */
    public static void copyFromLongs(long[] src, int off, long address, int longs) {
        if (off < 0 || longs < 0 || off + longs > src.length) {
            throw new IndexOutOfBoundsException("off=" + off + " longs=" + longs + " array=" + src.length);
        }
        U.copyMemory(src, LONG_ARRAY_BASE + 8L * off, null, address, 8L * longs);
    }

    /**
     * Reads the {@code longs} little-endian 8-byte words at {@code src[off..]} into
     * {@code dst[dstOff..]}: one memory copy on a little-endian machine instead of a load per word.
     */
    public static void copyToLongs(byte[] src, int off, long[] dst, int dstOff, int longs) {
        if (off < 0 || dstOff < 0 || longs < 0 || off + 8L * longs > src.length || dstOff + longs > dst.length) {
            throw new IndexOutOfBoundsException("off=" + off + " dstOff=" + dstOff + " longs=" + longs
                    + " arrays=" + src.length + "/" + dst.length);
        }
        if (LITTLE_ENDIAN) {
            U.copyMemory(src, BYTE_ARRAY_BASE + off, dst, LONG_ARRAY_BASE + 8L * dstOff, 8L * longs);
        } else {
            for (int i = 0; i < longs; i++) {
                dst[dstOff + i] = Long.reverseBytes(U.getLong(src, BYTE_ARRAY_BASE + off + 8L * i));
            }
        }
    }

    /** Copies between two native addresses. */
    public static void copy(long from, long to, long length) {
        U.copyMemory(from, to, length);
    }

    /** Reads a native little-endian long. */
    public static long getLong(long address) {
        return U.getLong(address);
    }

    /** Reads a native little-endian int. */
    public static int getInt(long address) {
        return U.getInt(address);
    }

    /** Reads a native byte. */
    public static byte getByte(long address) {
        return U.getByte(address);
    }

    /** Writes a native little-endian long. */
    public static void putLong(long address, long value) {
        U.putLong(address, value);
    }

    /** Writes a native little-endian int. */
    public static void putInt(long address, int value) {
        U.putInt(address, value);
    }

    /** Writes a native little-endian short. */
    public static void putShort(long address, short value) {
        U.putShort(address, value);
    }

    /** Writes a native byte. */
    public static void putByte(long address, byte value) {
        U.putByte(address, value);
    }

    /** Reads a native little-endian short. */
    public static short getShort(long address) {
        return U.getShort(address);
    }

    /** Fills native memory with zeros. */
    public static void zero(long address, long length) {
        U.setMemory(address, length, (byte) 0);
    }
}
