package org.medes.rdma;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Reads batches of pages from one page server into caller-owned off-heap memory.
 *
 * <p>The returned future completes normally only when every page of the batch was read in full;
 * otherwise it completes exceptionally with a {@link PageFetchException} and the destination
 * holds undefined bytes. Once the future has completed, the fetcher writes no more into that
 * destination.
 *
 * <p>Thread-safety: implementations are thread-safe; any number of batches may be in flight.
 */
public interface PageFetcher extends AutoCloseable {

    /** Short name of the transport ("local", "tcp"). */
    String name();

    /** Whether this fetcher can be used here (not disabled, its native parts loaded). */
    default boolean isAvailable() {
        return unavailabilityCause() == null;
    }

    /** Why {@link #isAvailable()} is false, or null when it is true. */
    Throwable unavailabilityCause();

    /**
     * Reads {@code batch} into {@code destination}, page i at {@code destination + i * 4096}.
     *
     * @param destination native address of caller-owned memory
     * @param capacity    bytes available at {@code destination}; at least {@link PageBatch#bytes()}
     * @param timeout     deadline of the whole batch, from this call
     */
    CompletableFuture<Void> fetch(PageBatch batch, long destination, long capacity, Duration timeout);

    /** Fails batches in flight with {@link PageFetchException.Reason#CLOSED}; idempotent. */
    @Override
    void close();
}
