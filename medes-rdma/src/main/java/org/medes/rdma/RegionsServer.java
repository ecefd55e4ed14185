package org.medes.rdma;

/**
 * A {@link PageServer} that serves a {@link PageRegions} over a transport: registering and
 * unregistering go to the regions, whose listeners let the transport follow them (UCX and DiSNI
 * register and withdraw the memory with their device there).
 */
public interface RegionsServer extends PageServer {
    /** The regions served. */
    PageRegions regions();

    @Override
    default PageRegion register(RegionPages pages) {
        return regions().register(pages);
    }

    /** Unregisters the region; returns once the transport no longer reads it (see {@link PageServer#unregister}). */
    @Override
    default boolean unregister(long regionId) {
        return regions().unregister(regionId);
    }
}
