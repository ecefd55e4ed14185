package org.medes.rdma.disni;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What a {@link DisniPageServer}'s key channel tells clients: per exported region its key and
 * remote segments, or that its memory could not be registered. A description is given only for
 * the region's own access key.
 *
 * <p>Thread-safety: thread-safe.
 */
final class RegionDirectory implements KeyServer.Directory {
    private record Entry(long key, RemoteRegion region) {
    }

    private final Map<Long, Entry> entries = new ConcurrentHashMap<>();

    /** Region {@code r} is readable as described. */
    void exported(RemoteRegion r) {
        entries.put(r.id(), new Entry(r.key(), r));
    }

    /** Region {@code id} exists but its memory could not be registered. */
    void notExported(long id, long key) {
        entries.put(id, new Entry(key, null));
    }

    /** Forgets region {@code id}; returns what it described, or null. */
    RemoteRegion remove(long id) {
        Entry e = entries.remove(id);
        return e == null ? null : e.region();
    }

    int size() {
        return entries.size();
    }

    @Override
    public byte[] describe(long region, long key) {
        Entry e = entries.get(region);
        if (e == null) {
            return KeyProtocol.regionRefused(KeyProtocol.UNKNOWN_REGION);
        }
        if (e.key() != key) {
            return KeyProtocol.regionRefused(KeyProtocol.WRONG_KEY);
        }
        if (e.region() == null) {
            return KeyProtocol.regionRefused(KeyProtocol.NOT_EXPORTED);
        }
        return KeyProtocol.region(e.region());
    }
}
