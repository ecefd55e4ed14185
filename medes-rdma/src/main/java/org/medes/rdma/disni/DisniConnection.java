package org.medes.rdma.disni;

import com.ibm.disni.RdmaActiveEndpoint;
import com.ibm.disni.RdmaActiveEndpointGroup;
import com.ibm.disni.verbs.IbvMr;
import com.ibm.disni.verbs.IbvSendWR;
import com.ibm.disni.verbs.IbvSge;
import com.ibm.disni.verbs.IbvWC;
import com.ibm.disni.verbs.RdmaCmId;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.LinkedList;
import java.util.List;

/**
 * One reliable-connected queue pair to a {@link DisniPageServer}'s RDMA listener, the only place
 * the client touches DiSNI: registers destination memory, posts signalled RDMA READ work
 * requests and hands every completion to a callback (on DiSNI's completion-queue thread). Only
 * created once {@link DisniAvailability} says DiSNI is usable, so libdisni is never loaded
 * otherwise.
 *
 * <p>Thread-safety: thread-safe; posting is serialized.
 */
final class DisniConnection implements AutoCloseable {
    /** Work requests outstanding per queue pair. */
    static final int MAX_WR = 64;

    /** Receives the completion of each work request. */
    interface Completions {
        void completed(long wrId, boolean ok, String status);
    }

    /** One RDMA READ: {@code length} bytes from {@code remote} (rkey) to {@code local} (lkey). */
    record Read(long wrId, long local, int length, int lkey, long remote, int rkey) {
    }

    /** A memory registration of caller-owned memory; closing deregisters it. */
    interface Registration extends AutoCloseable {
        int lkey();

        @Override
        void close();
    }

    private static final class Endpoint extends RdmaActiveEndpoint {
        private final Completions completions;

        Endpoint(RdmaActiveEndpointGroup<Endpoint> group, RdmaCmId id, boolean serverSide, Completions completions)
                throws IOException {
            super(group, id, serverSide);
            this.completions = completions;
        }

        @Override
        public void dispatchCqEvent(IbvWC wc) {
            int status = wc.getStatus();
            boolean ok = status == IbvWC.IbvWcStatus.IBV_WC_SUCCESS.ordinal();
            IbvWC.IbvWcStatus[] all = IbvWC.IbvWcStatus.values();
            String name = status >= 0 && status < all.length ? all[status].name() : "status " + status;
            completions.completed(wc.getWr_id(), ok, name);
        }
    }

    private final RdmaActiveEndpointGroup<Endpoint> group;
    private final Endpoint endpoint;
    private volatile boolean closed;

    private DisniConnection(RdmaActiveEndpointGroup<Endpoint> group, Endpoint endpoint) {
        this.group = group;
        this.endpoint = endpoint;
    }

    /** Connects to the RDMA listener at {@code rdma}; completions go to {@code completions}. */
    static DisniConnection connect(InetSocketAddress rdma, int timeoutMillis, Completions completions) throws IOException {
        RdmaActiveEndpointGroup<Endpoint> g = new RdmaActiveEndpointGroup<>(timeoutMillis, false, MAX_WR, 1, 2 * MAX_WR);
        try {
            g.init((id, serverSide) -> new Endpoint(g, id, serverSide, completions));
            Endpoint ep = g.createEndpoint();
            ep.connect(rdma, timeoutMillis);
            if (!ep.isConnected()) {
                throw new IOException("RDMA connection to " + rdma + " was not established");
            }
            return new DisniConnection(g, ep);
        } catch (Exception e) {
            closeQuietly(g);
            throw e instanceof IOException io ? io : new IOException("RDMA connect to " + rdma + " failed: " + e, e);
        }
    }

    /** Registers {@code length} bytes at {@code address} as the target of READs. */
    Registration register(long address, int length) throws IOException {
        IbvMr mr = endpoint.getPd().regMr(address, length, IbvMr.IBV_ACCESS_LOCAL_WRITE).execute().getMr();
        return new Registration() {
            private boolean done;

            @Override
            public int lkey() {
                return mr.getLkey();
            }

            @Override
            public synchronized void close() {
                if (!done) {
                    done = true;
                    try {
                        mr.deregMr().execute().free();
                    } catch (IOException ignored) {
                        // the device is gone: its registrations are gone with it
                    }
                }
            }
        };
    }

    /** Posts {@code reads} as one chain of signalled RDMA READ work requests. */
    synchronized void post(List<Read> reads) throws IOException {
        if (closed) {
            throw new IOException("RDMA connection closed");
        }
        LinkedList<IbvSendWR> wrs = new LinkedList<>();
        for (Read r : reads) {
            IbvSge sge = new IbvSge();
            sge.setAddr(r.local());
            sge.setLength(r.length());
            sge.setLkey(r.lkey());
            LinkedList<IbvSge> sges = new LinkedList<>();
            sges.add(sge);
            IbvSendWR wr = new IbvSendWR();
            wr.setWr_id(r.wrId());
            wr.setSg_list(sges);
            wr.setOpcode(IbvSendWR.IBV_WR_RDMA_READ);
            wr.setSend_flags(IbvSendWR.IBV_SEND_SIGNALED);
            wr.getRdma().setRemote_addr(r.remote());
            wr.getRdma().setRkey(r.rkey());
            wrs.add(wr);
        }
        endpoint.postSend(wrs).execute().free();
    }

    boolean isConnected() {
        return !closed && endpoint.isConnected();
    }

    /**
     * Destroys the queue pair (outstanding work requests are flushed, the device writes nothing
     * more for them) and the group; idempotent.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            endpoint.close();
        } catch (IOException | InterruptedException ignored) {
            // tearing down anyway
        }
        closeQuietly(group);
    }

    private static void closeQuietly(RdmaActiveEndpointGroup<?> g) {
        try {
            g.close();
        } catch (IOException | InterruptedException ignored) {
            // tearing down anyway
        }
    }
}
