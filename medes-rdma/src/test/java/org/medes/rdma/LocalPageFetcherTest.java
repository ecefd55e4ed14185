package org.medes.rdma;

/** The contract against {@link LocalPageFetcher}; killing the server closes its regions. */
class LocalPageFetcherTest extends PageFetcherContract {
    private PageRegions regions;

    @Override
    Fixture open() {
        regions = new PageRegions();
        LocalPageFetcher fetcher = new LocalPageFetcher(regions);
        return new Fixture() {
            @Override
            public PageServer server() {
                return regions;
            }

            @Override
            public PageFetcher fetcher() {
                return fetcher;
            }

            @Override
            public PageFetcher fetcherWithSecret(byte[] secret) {
                return null;
            }

            @Override
            public void startKill() {
                regions.close();
            }

            @Override
            public void close() {
                fetcher.close();
                regions.close();
            }
        };
    }

    @Override
    void awaitKill() throws InterruptedException {
        long end = System.nanoTime() + 30_000_000_000L;
        while (!regions.isClosed() && System.nanoTime() < end) {
            Thread.onSpinWait();
        }
    }
}
