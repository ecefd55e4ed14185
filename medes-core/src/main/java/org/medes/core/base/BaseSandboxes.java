package org.medes.core.base;

import org.medes.core.fingerprint.ValueSampledFingerprinter;
import org.medes.core.page.PageLayout;
import org.medes.core.page.SandboxImage;
import org.medes.core.patch.PointerMarks;
import org.medes.core.registry.FingerprintRegistry;
import org.medes.core.registry.PageRef;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The base sandboxes of one node and what holds them: registers each base's sampled chunks in a
 * {@link FingerprintRegistry}, serves its pages to the engine, counts which dedup images hold
 * which base (a base cannot be retired while held) and applies the D/B &gt; T designation rule
 * per function.
 *
 * <p>Thread-safety: thread-safe. Page reads are lock-free; registrations, retirements and
 * reference changes are serialized.
 */
public final class BaseSandboxes implements BasePageSource, AutoCloseable {

    private record Base(int id, String function, int node, SandboxImage image, PointerMarks marks) {
    }

    private final FingerprintRegistry registry;
    private final ValueSampledFingerprinter fingerprinter;
    private final int localNode;
    private final BaseDesignation designation;
    private final Map<Integer, Base> bases = new ConcurrentHashMap<>();
    /** dedup image id -> bases it holds (first = primary). */
    private final Map<String, int[]> holders = new LinkedHashMap<>();
    private final Map<Integer, Integer> refCounts = new ConcurrentHashMap<>();
    /** Page reads hold the read lock so a retirement never frees an image under a reader. */
    private final java.util.concurrent.locks.ReentrantReadWriteLock imageLock = new java.util.concurrent.locks.ReentrantReadWriteLock();
    private int nextId;
    private boolean closed;

    private BaseSandboxes(Builder b) {
        this.registry = Objects.requireNonNull(b.registry, "registry");
        this.fingerprinter = b.fingerprinter;
        this.localNode = b.localNode;
        this.designation = b.designation;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The registry the bases are indexed in. */
    public FingerprintRegistry registry() {
        return registry;
    }

    /** The node this catalog runs on. */
    public int localNode() {
        return localNode;
    }

    /**
     * Makes {@code image} (a checkpoint of a warm sandbox of {@code function}) a base: its
     * sampled chunks go into the registry. Takes ownership of the image, closed on retirement.
     *
     * @return the new base id
     */
    public synchronized int addBase(String function, SandboxImage image) {
        Objects.requireNonNull(function, "function");
        checkOpen();
        int id = nextId++;
        int k = fingerprinter.k();
        long[] fp = new long[k];
        long[] hashes = new long[image.pageCount() * k];
        int[] pages = new int[hashes.length];
        int n = 0;
        for (int p = 0; p < image.pageCount(); p++) {
            int c = fingerprinter.fingerprintMemory(image.pageAddress(p), fp, 0);
            for (int i = 0; i < c; i++) {
                hashes[n] = fp[i];
                pages[n++] = p;
            }
        }
        registry.registerBase(id, localNode, hashes, pages, n);
        bases.put(id, new Base(id, function, localNode, image, PointerMarks.of(image)));
        refCounts.put(id, 0);
        return id;
    }

    /**
     * Retires base {@code base}: removes its chunks from the registry and frees its image.
     *
     * @throws BaseInUseException when dedup images still hold it; the exception names them
     */
    public synchronized void retire(int base) {
        Base b = bases.get(base);
        if (b == null) {
            throw new IllegalArgumentException("unknown base " + base);
        }
        List<String> h = holders(base);
        if (!h.isEmpty()) {
            throw new BaseInUseException(base, h);
        }
        registry.retireBase(base);
        imageLock.writeLock().lock();
        try {
            bases.remove(base);
            refCounts.remove(base);
            b.image().close();
        } finally {
            imageLock.writeLock().unlock();
        }
    }

    /** Ids of the dedup images that hold base {@code base}, in the order they were made. */
    public synchronized List<String> holders(int base) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, int[]> e : holders.entrySet()) {
            for (int x : e.getValue()) {
                if (x == base) {
                    out.add(e.getKey());
                    break;
                }
            }
        }
        return out;
    }

    @Override
    public synchronized void retain(String dedupImageId, int[] used) {
        for (int b : used) {
            if (!bases.containsKey(b)) {
                throw new IllegalStateException("dedup image " + dedupImageId + " uses unknown base " + b);
            }
        }
        int[] previous = holders.put(dedupImageId, used.clone());
        if (previous != null) {
            Arrays.stream(previous).forEach(b -> refCounts.merge(b, -1, Integer::sum));
        }
        Arrays.stream(used).forEach(b -> refCounts.merge(b, 1, Integer::sum));
    }

    /** Forgets dedup image {@code dedupImageId} (deleted, or restored and discarded); returns whether it was held. */
    public synchronized boolean release(String dedupImageId) {
        int[] used = holders.remove(dedupImageId);
        if (used == null) {
            return false;
        }
        Arrays.stream(used).forEach(b -> refCounts.merge(b, -1, Integer::sum));
        return true;
    }

    @Override
    public int referenceCount(int base) {
        return refCounts.getOrDefault(base, 0);
    }

    /** Live bases of {@code function}. */
    public List<Integer> bases(String function) {
        return bases.values().stream().filter(b -> b.function().equals(function)).map(Base::id).sorted().toList();
    }

    /** Held dedup images whose primary base belongs to {@code function}. */
    public synchronized int dedupCount(String function) {
        int n = 0;
        for (int[] used : holders.values()) {
            Base b = bases.get(used[0]);
            if (b != null && b.function().equals(function)) {
                n++;
            }
        }
        return n;
    }

    /** True when {@code function}'s dedup sandboxes per base exceed the threshold T (or it has none). */
    public synchronized boolean needsNewBase(String function) {
        return designation.needsNewBase(dedupCount(function), bases(function).size());
    }

    public BaseDesignation designation() {
        return designation;
    }

    @Override
    public PageLayout layout(int base) throws BasePageUnavailableException {
        return base(base).image();
    }

    /** Made when the base was added: 64 bytes per page. */
    @Override
    public PointerMarks pointerMarks(int base) throws BasePageUnavailableException {
        return base(base).marks();
    }

    @Override
    public int node(int base) throws BasePageUnavailableException {
        return base(base).node();
    }

    @Override
    public void readPage(int base, int page, byte[] dst, int off) throws BasePageUnavailableException {
        imageLock.readLock().lock();
        try {
            SandboxImage image = base(base).image();
            if (page < 0 || page >= image.pageCount()) {
                throw new BasePageUnavailableException(base, page, "no such page (base has " + image.pageCount() + " pages)", null);
            }
            image.copyPage(page, dst, off);
        } finally {
            imageLock.readLock().unlock();
        }
    }

    /** Copies the base's page from its off-heap storage straight to {@code address}. */
    @Override
    public void readPageTo(int base, int page, long address, byte[] scratch) throws BasePageUnavailableException {
        imageLock.readLock().lock();
        try {
            SandboxImage image = base(base).image();
            if (page < 0 || page >= image.pageCount()) {
                throw new BasePageUnavailableException(base, page, "no such page (base has " + image.pageCount() + " pages)", null);
            }
            org.medes.core.page.OffHeap.copy(image.pageAddress(page), address, org.medes.core.page.PageSize.BYTES);
        } finally {
            imageLock.readLock().unlock();
        }
    }

    private Base base(int base) throws BasePageUnavailableException {
        Base b = bases.get(base);
        if (b == null) {
            throw new BasePageUnavailableException(base, "unknown or retired base");
        }
        return b;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("base catalog is closed");
        }
    }

    /** Frees every base image (not the registry, which the caller owns); idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        imageLock.writeLock().lock();
        try {
            bases.values().forEach(b -> b.image().close());
            bases.clear();
        } finally {
            imageLock.writeLock().unlock();
        }
    }

    /** Configures a {@link BaseSandboxes}; every setter may be called once. */
    public static final class Builder {
        private FingerprintRegistry registry;
        private ValueSampledFingerprinter fingerprinter = new ValueSampledFingerprinter();
        private int localNode;
        private BaseDesignation designation = BaseDesignation.paperDefault();
        private final java.util.Set<String> set = new java.util.HashSet<>();

        private void once(String name) {
            if (!set.add(name)) {
                throw new IllegalStateException(name + " was already set");
            }
        }

        /** The registry to index bases in (required). */
        public Builder registry(FingerprintRegistry registry) {
            once("registry");
            this.registry = Objects.requireNonNull(registry);
            return this;
        }

        /** Must be the fingerprinter the engine uses (default k = 5). */
        public Builder fingerprinter(ValueSampledFingerprinter fingerprinter) {
            once("fingerprinter");
            this.fingerprinter = Objects.requireNonNull(fingerprinter);
            return this;
        }

        /** This node's id, 0..4095 (default 0). */
        public Builder localNode(int node) {
            once("localNode");
            this.localNode = PageRef.checkNode(node);
            return this;
        }

        /** The D/B &gt; T rule (default T = 40). */
        public Builder designation(BaseDesignation designation) {
            once("designation");
            this.designation = Objects.requireNonNull(designation);
            return this;
        }

        public BaseSandboxes build() {
            if (registry == null) {
                throw new IllegalStateException("a registry is required");
            }
            return new BaseSandboxes(this);
        }
    }

}
