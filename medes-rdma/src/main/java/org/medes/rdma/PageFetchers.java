package org.medes.rdma;

import net.openhft.chronicle.bytes.BytesStore;
import org.medes.core.page.OffHeap;
import org.medes.core.page.PageSize;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Hands out the fastest fetcher that can reach an endpoint: local (same JVM), then DiSNI
 * one-sided RDMA reads, then UCX, then TCP. A
 * candidate is skipped when its kill switch is set, when it reports itself unavailable, or when
 * it fails the self-test (reading the probe region and comparing it byte for byte).
 *
 * <p>Thread-safety: stateless; thread-safe.
 */
public final class PageFetchers {
    /** Deadline of one self-test read. */
    static final Duration SELF_TEST_TIMEOUT = Duration.ofSeconds(5);

    private PageFetchers() {
    }

    /**
     * The fastest fetcher for {@code endpoint} that passes its self-test.
     *
     * @throws IllegalStateException naming every candidate and why it was not chosen
     */
    public static PageFetcher fastest(PageEndpoint endpoint) {
        List<PageFetcher> candidates = new ArrayList<>();
        endpoint.localRegions().ifPresent(r -> candidates.add(new LocalPageFetcher(r)));
        endpoint.disniKeyChannel().ifPresent(k -> candidates.add(org.medes.rdma.disni.DisniPageFetcher.create(k, endpoint.secret())));
        endpoint.ucxAddress().ifPresent(a -> candidates.add(UcxPageFetcher.create(a, endpoint.secret())));
        endpoint.tcpAddress().ifPresent(a -> candidates.add(TcpPageFetcher.create(a, endpoint.secret())));
        IllegalStateException none = new IllegalStateException("no page fetcher can reach the endpoint");
        PageFetcher chosen = null;
        for (PageFetcher f : candidates) {
            if (chosen != null) {
                f.close();
                continue;
            }
            Throwable why = f.isAvailable() ? selfTest(f) : f.unavailabilityCause();
            if (why == null) {
                chosen = f;
            } else {
                none.addSuppressed(new IllegalStateException(f.name() + ": " + why.getMessage(), why));
                f.close();
            }
        }
        if (chosen == null) {
            throw none;
        }
        return chosen;
    }

    /** Reads the probe page through {@code fetcher}; returns null when correct, else why not. */
    public static Throwable selfTest(PageFetcher fetcher) {
        BytesStore<?, Void> buf = BytesStore.nativeStoreWithFixedCapacity(PageSize.BYTES);
        try {
            long a = buf.addressForRead(0);
            fetcher.fetch(PageBatch.of(PageRegions.probeRegion(), 0), a, PageSize.BYTES, SELF_TEST_TIMEOUT)
                    .get(SELF_TEST_TIMEOUT.toMillis() + 1000, TimeUnit.MILLISECONDS);
            for (int i = 0; i < PageSize.BYTES; i++) {
                if (OffHeap.getByte(a + i) != PageRegions.probeByte(i)) {
                    return new IllegalStateException("self-test read a wrong byte at offset " + i);
                }
            }
            return null;
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (TimeoutException e) {
            return e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return e;
        } finally {
            buf.releaseLast();
        }
    }
}
