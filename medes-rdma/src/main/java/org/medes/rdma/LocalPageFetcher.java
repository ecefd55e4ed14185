package org.medes.rdma;

import org.medes.core.page.PageSize;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Reads pages of a {@link PageRegions} in the same JVM: one copy from the region into the
 * caller's buffer, done in the calling thread. Kill switch: {@code -Dmedes.rdma.local.disabled=true}.
 *
 * <p>Thread-safety: thread-safe.
 */
public final class LocalPageFetcher implements PageFetcher {
    /** System property that disables this fetcher. */
    public static final String DISABLED_PROPERTY = "medes.rdma.local.disabled";

    private final PageRegions regions;
    private volatile boolean closed;

    public LocalPageFetcher(PageRegions regions) {
        this.regions = regions;
    }

    @Override
    public String name() {
        return "local";
    }

    @Override
    public Throwable unavailabilityCause() {
        if (Boolean.getBoolean(DISABLED_PROPERTY)) {
            return new UnsupportedOperationException("local fetcher disabled by -D" + DISABLED_PROPERTY + "=true");
        }
        return null;
    }

    @Override
    public CompletableFuture<Void> fetch(PageBatch batch, long destination, long capacity, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        CompletableFuture<Void> settled = batch.settledWithoutReading(capacity);
        if (settled != null) {
            return settled;
        }
        int n = batch.size();
        for (int i = 0; i < n; i++) {
            if (closed) {
                return CompletableFuture.failedFuture(batch.failure(PageFetchException.Reason.CLOSED, i, n, "fetcher closed", null));
            }
            if ((i & 63) == 0 && System.nanoTime() - deadline > 0) {
                return CompletableFuture.failedFuture(batch.failure(PageFetchException.Reason.DEADLINE, i, n,
                        "deadline of " + timeout.toMillis() + " ms passed after " + i + " of " + n + " pages", null));
            }
            byte s = regions.copyPage(batch.region(i), batch.key(i), batch.page(i), destination + ((long) i << PageSize.SHIFT));
            if (s != Status.OK) {
                return CompletableFuture.failedFuture(failure(batch, i, s));
            }
        }
        return CompletableFuture.completedFuture(null);
    }

    private static PageFetchException failure(PageBatch batch, int i, byte status) {
        long region = batch.region(i);
        return new PageFetchException(Status.reason(status), region, new int[] {batch.page(i)},
                "refused by the page server", null);
    }

    @Override
    public void close() {
        closed = true;
    }

    @Override
    public String toString() {
        return "LocalPageFetcher";
    }
}
