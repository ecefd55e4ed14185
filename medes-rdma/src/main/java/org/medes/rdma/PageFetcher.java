package org.medes.rdma;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

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

    /**
     * Reads {@code batch} like {@link #fetch} and waits for it on the calling thread, polling the
     * batch for up to {@code spin} before blocking. Waking a parked thread when the answer arrives
     * costs tens of microseconds on small virtual machines (about half of a single-page TCP fetch
     * here), so a caller that needs one page now, such as a restore reading a base page it did not
     * prefetch, spins instead; on a machine with few cores the spinning competes with the
     * transport's own threads. {@link Duration#ZERO} blocks at once.
     *
     * @throws PageFetchException as the future of {@link #fetch} would fail, or {@code DEADLINE}
     *     when it has not completed a second after {@code timeout}
     */
    default void read(PageBatch batch, long destination, long capacity, Duration timeout, Duration spin)
            throws PageFetchException, InterruptedException {
        await(fetch(batch, destination, capacity, timeout), batch, timeout, spin, name());
    }

    /**
     * Waits for {@code f}, the future of reading {@code batch} with {@code timeout}: polls it for
     * up to {@code spin}, then blocks until it completes or a second after {@code timeout}.
     *
     * @param fetcher the fetcher's name, for the error
     * @throws PageFetchException as {@code f} failed, or {@code DEADLINE} when it did not complete
     */
    static void await(CompletableFuture<Void> f, PageBatch batch, Duration timeout, Duration spin, String fetcher)
            throws PageFetchException, InterruptedException {
        long until = System.nanoTime() + spin.toNanos();
        while (!f.isDone() && System.nanoTime() - until < 0) {
            Thread.onSpinWait();
        }
        try {
            f.get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof PageFetchException p) {
                throw p;
            }
            throw batch.failure(PageFetchException.Reason.CONNECTION, 0, batch.size(), String.valueOf(e.getCause()),
                    e.getCause());
        } catch (TimeoutException e) {
            throw batch.failure(PageFetchException.Reason.DEADLINE, 0, batch.size(),
                    fetcher + " fetcher did not complete the batch a second after its deadline", e);
        }
    }

    /** {@link #read(PageBatch, long, long, Duration, Duration)} spinning for {@link #defaultSpin()}. */
    default void read(PageBatch batch, long destination, long capacity, Duration timeout)
            throws PageFetchException, InterruptedException {
        read(batch, destination, capacity, timeout, defaultSpin());
    }

    /** How long {@link #read} polls before blocking: {@code -Dmedes.rdma.spin.micros} (default 100; 0 never spins). */
    static Duration defaultSpin() {
        return Duration.ofNanos(1000L * Math.max(0, Long.getLong("medes.rdma.spin.micros", 100)));
    }

    /** Fails batches in flight with {@link PageFetchException.Reason#CLOSED}; idempotent. */
    @Override
    void close();
}
