package org.medes.core.page;

import java.util.Objects;

/**
 * One virtual memory area of a sandbox: where it starts, how long it is, its protection and what
 * backs it ({@code name} is a file path, {@code [heap]}, {@code [stack]} or empty for anonymous
 * memory). Only some of its pages may be present in an image.
 *
 * @param start      first virtual address, page aligned
 * @param length     length in bytes, a multiple of {@link PageSize#BYTES}
 * @param protection {@link #READ} | {@link #WRITE} | {@link #EXEC} | {@link #SHARED}
 * @param name       backing file or pseudo name, never null ("" for anonymous memory)
 * @param fileOffset offset in the backing file, 0 when there is none
 */
public record Mapping(long start, long length, int protection, String name, long fileOffset) {
    public static final int READ = 1;
    public static final int WRITE = 2;
    public static final int EXEC = 4;
    public static final int SHARED = 8;

    public Mapping {
        Objects.requireNonNull(name, "name");
        if ((start & (PageSize.BYTES - 1)) != 0) {
            throw new IllegalArgumentException("mapping start 0x" + Long.toHexString(start) + " is not page aligned");
        }
        if (length <= 0 || (length & (PageSize.BYTES - 1)) != 0) {
            throw new IllegalArgumentException("mapping at 0x" + Long.toHexString(start) + " has length " + length
                    + ", not a positive multiple of " + PageSize.BYTES);
        }
        if (start + length < start) {
            throw new IllegalArgumentException("mapping at 0x" + Long.toHexString(start) + " wraps the address space");
        }
    }

    /** An anonymous read-write mapping. */
    public static Mapping anonymous(long start, long length) {
        return new Mapping(start, length, READ | WRITE, "", 0);
    }

    /** First address past the mapping. */
    public long end() {
        return start + length;
    }

    /** Number of pages the mapping spans. */
    public long pageSpan() {
        return length >>> PageSize.SHIFT;
    }

    /** True when {@code address} lies inside the mapping. */
    public boolean contains(long address) {
        return address - start >= 0 && address - start < length && Long.compareUnsigned(address, start) >= 0;
    }

    @Override
    public String toString() {
        return String.format("%x-%x %s%s%s%s %s", start, end(),
                (protection & READ) != 0 ? "r" : "-", (protection & WRITE) != 0 ? "w" : "-",
                (protection & EXEC) != 0 ? "x" : "-", (protection & SHARED) != 0 ? "s" : "p", name);
    }
}
