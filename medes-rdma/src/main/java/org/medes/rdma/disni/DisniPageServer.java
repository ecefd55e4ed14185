package org.medes.rdma.disni;

import com.ibm.disni.RdmaActiveEndpoint;
import com.ibm.disni.RdmaActiveEndpointGroup;
import com.ibm.disni.RdmaServerEndpoint;
import com.ibm.disni.verbs.IbvMr;
import com.ibm.disni.verbs.IbvPd;
import com.ibm.disni.verbs.IbvWC;
import com.ibm.disni.verbs.RdmaCmId;
import org.medes.rdma.PageRegion;
import org.medes.rdma.PageRegions;
import org.medes.rdma.RegionsServer;
import org.medes.rdma.RegionPages;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Exports the regions of a {@link PageRegions} for one-sided RDMA READs through DiSNI: each
 * region's pages are registered with the RDMA device read-only ({@code IBV_ACCESS_REMOTE_READ}),
 * one memory registration per run of pages contiguous in memory (at most 1 GiB), and the
 * registration is withdrawn before the region's memory may be freed. Clients learn the remote
 * addresses and rkeys over the key channel ({@link KeyProtocol}), authenticated with the shared
 * secret; the server's CPU takes no part in the reads.
 *
 * <p>{@link #close()} stops the key channel and the RDMA listener and deregisters every region;
 * the regions stay registered in their {@link PageRegions}.
 *
 * <p>Thread-safety: thread-safe.
 */
public final class DisniPageServer implements RegionsServer {
    private static final int BACKLOG = 64;

    private static final class Passive extends RdmaActiveEndpoint {
        Passive(RdmaActiveEndpointGroup<Passive> group, RdmaCmId id, boolean serverSide) throws IOException {
            super(group, id, serverSide);
        }

        @Override
        public void dispatchCqEvent(IbvWC wc) {
            // the server posts nothing: clients read its memory one-sided
        }
    }

    private final PageRegions regions;
    private final RdmaActiveEndpointGroup<Passive> group;
    private final RdmaServerEndpoint<Passive> listener;
    private final IbvPd pd;
    private final RegionDirectory directory = new RegionDirectory();
    private final Map<Long, List<IbvMr>> registrations = new ConcurrentHashMap<>();
    private final List<Passive> accepted = new CopyOnWriteArrayList<>();
    private final KeyServer keys;
    private final PageRegions.Listener follower;
    private volatile boolean closed;

    private DisniPageServer(PageRegions regions, InetSocketAddress rdmaBind, InetSocketAddress keyBind, byte[] secret)
            throws Exception {
        this.regions = regions;
        this.group = new RdmaActiveEndpointGroup<>(5000, false, 16, 1, 64);
        boolean ok = false;
        try {
            group.init((id, serverSide) -> new Passive(group, id, serverSide));
            this.listener = group.createServerEndpoint();
            listener.bind(rdmaBind, BACKLOG);
            this.pd = listener.getPd();
            InetSocketAddress rdma = (InetSocketAddress) listener.getSrcAddr();
            this.keys = KeyServer.start(keyBind, secret, rdma, directory);
            Thread t = new Thread(this::acceptLoop, "medes-disni-accept");
            t.setDaemon(true);
            t.start();
            this.follower = new PageRegions.Listener() {
                @Override
                public void registered(PageRegion region, RegionPages pages) {
                    export(region, pages);
                }

                @Override
                public void unregistered(PageRegion region) {
                    withdraw(region.id());
                }
            };
            regions.addListener(follower);
            ok = true;
        } finally {
            if (!ok) {
                group.close();
            }
        }
    }

    /**
     * Starts exporting {@code regions}: RDMA listener on {@code rdmaBind} (an address of the RDMA
     * device's interface), key channel on {@code keyBind} (port 0 picks one).
     *
     * @throws IllegalStateException naming what is missing when DiSNI is unavailable here
     */
    public static DisniPageServer start(PageRegions regions, InetSocketAddress rdmaBind, InetSocketAddress keyBind,
                                        byte[] secret) throws Exception {
        Throwable why = DisniAvailability.unavailabilityCause();
        if (why != null) {
            throw new IllegalStateException(why.getMessage(), why);
        }
        return new DisniPageServer(regions, rdmaBind, keyBind, secret);
    }

    /** Where clients reach the key channel. */
    public InetSocketAddress keyChannel() {
        return keys.address();
    }

    /** The regions exported. */
    public PageRegions regions() {
        return regions;
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                accepted.add(listener.accept());
            } catch (IOException e) {
                if (closed) {
                    return;
                }
            }
        }
    }

    private void export(PageRegion region, RegionPages pages) {
        if (closed) {
            return;
        }
        List<IbvMr> mrs = new ArrayList<>();
        List<RemoteRegion.Segment> segments = new ArrayList<>();
        try {
            for (RemoteRegion.Segment s : RemoteRegion.runs(pages, RemoteRegion.MAX_SEGMENT_BYTES)) {
                IbvMr mr = pd.regMr(s.address(), (int) s.bytes(), IbvMr.IBV_ACCESS_REMOTE_READ).execute().getMr();
                mrs.add(mr);
                segments.add(new RemoteRegion.Segment(s.firstPage(), s.pages(), s.address(), mr.getRkey()));
            }
            registrations.put(region.id(), mrs);
            directory.exported(new RemoteRegion(region.id(), region.key(), region.pageCount(), segments));
        } catch (IOException | RuntimeException e) {
            deregister(mrs);
            directory.notExported(region.id(), region.key());
        }
    }

    private void withdraw(long regionId) {
        directory.remove(regionId);
        List<IbvMr> mrs = registrations.remove(regionId);
        if (mrs != null) {
            deregister(mrs);
        }
    }

    private static void deregister(List<IbvMr> mrs) {
        for (IbvMr mr : mrs) {
            try {
                mr.deregMr().execute().free();
            } catch (IOException ignored) {
                // device gone: the registration went with it
            }
        }
    }



    /** Stops the key channel and the RDMA listener, deregisters every region; idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        regions.removeListener(follower);
        keys.close();
        for (Long id : registrations.keySet().toArray(new Long[0])) {
            withdraw(id);
        }
        try {
            for (Passive p : accepted) {
                p.close();
            }
            listener.close();
            group.close();
        } catch (IOException | InterruptedException ignored) {
            // tearing down anyway
        }
    }
}
