package org.medes.criu.compare;

import java.io.IOException;

/**
 * One way of storing a target sandbox's pages given a base sandbox's pages, for
 * {@link Compare}: {@link #encode} stores the target's page data, {@link #decode} rebuilds it from
 * what was stored and the base alone.
 *
 * <p>Thread-safety: an engine is used by one thread at a time.
 */
public interface CompareEngine extends AutoCloseable {

    /** The engine's name in reports ({@code medes}, {@code zstd}, ...). */
    String name();

    /** Why the engine cannot run here, or null when it can (e.g. a program it needs is missing). */
    default String unavailabilityCause() {
        return null;
    }

    /** Stores the target's pages of {@code pair}; everything the engine builds from the base is built here too. */
    Encoded encode(ComparePair pair) throws IOException;

    /**
     * Rebuilds the target's pages from {@code encoded} (made by this engine's {@link #encode} of
     * the same pair) and the base's pages.
     *
     * @throws IOException when what was stored cannot be decoded (the message says where)
     */
    DecodedPages decode(ComparePair pair, Encoded encoded) throws IOException;

    /** True when {@code decoded} holds exactly the target's pages of {@code pair}. */
    default boolean verify(ComparePair pair, DecodedPages decoded) {
        return pair.firstDifferentTargetPage(decoded) < 0;
    }

    @Override
    default void close() {
    }

    /** What an engine stored for a target: its size, and whatever it needs to decode. */
    interface Encoded extends AutoCloseable {
        /** Bytes stored for the target's pages. */
        long storedBytes();

        /** Frees what the encoding holds (files, native memory); idempotent. */
        @Override
        default void close() {
        }
    }

    /** An encoding that is one byte array, the common case. */
    record StoredBytes(byte[] bytes, int length) implements Encoded {
        public StoredBytes {
            if (length < 0 || length > bytes.length) {
                throw new IllegalArgumentException("length " + length + " outside an array of " + bytes.length);
            }
        }

        @Override
        public long storedBytes() {
            return length;
        }
    }
}
