package org.medes.core.registry;

/**
 * Index from sampled chunk hashes of base sandboxes to the base page holding each chunk.
 *
 * <p>Only base sandboxes are registered, and only their unique chunks: a chunk hash already
 * present keeps its first page. Lookups are batched. Implementations may return a page whose
 * chunk merely shares the hash (a false positive); callers treat results as candidates and
 * verify content, never as proof of equality.
 *
 * <p>Thread-safety: implementations must allow any number of concurrent {@link #lookup} calls
 * while registrations and retirements happen.
 */
public interface FingerprintRegistry extends AutoCloseable {

    /**
     * Registers base {@code base} on node {@code node}: {@code hashes[i]} is a sampled chunk of
     * page {@code pages[i]}, for {@code i < count}.
     *
     * @return the number of chunks newly indexed (hashes not already present)
     * @throws IllegalStateException when the base is already registered
     */
    int registerBase(int base, int node, long[] hashes, int[] pages, int count);

    /**
     * Looks up {@code hashes[0..count)}: {@code refsOut[i]} receives the packed {@link PageRef}
     * of the page holding that chunk, or {@link PageRef#NONE}.
     */
    void lookup(long[] hashes, int count, long[] refsOut);

    /**
     * Removes every chunk of base {@code base}; chunks it shared with other bases that were
     * indexed under it are forgotten too (they were indexed once).
     *
     * @return the number of chunks removed (0 for an unknown base)
     */
    int retireBase(int base);

    /** True when {@code base} is registered and not retired. */
    boolean isRegistered(int base);

    /** Chunks currently indexed. */
    long chunkCount();

    /** Bytes of memory the index holds (tables and side arrays), for memory-per-chunk reports. */
    long memoryBytes();

    /** Frees the index; idempotent. Lookups after close fail. */
    @Override
    void close();
}
