package org.medes.rdma;

import net.openhft.chronicle.bytes.BytesStore;
import org.medes.core.page.Mapping;
import org.medes.core.page.OffHeap;
import org.medes.core.page.PageSize;
import org.medes.core.page.SandboxImage;

import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;

/** Test helpers: images with seeded pages, native buffers, a region that stalls on one page. */
final class TestPages {
    private TestPages() {
    }

    /** An image of {@code pages} pages; byte j of page p is a function of (seed, p, j). */
    static SandboxImage image(String id, int pages, long seed) {
        SandboxImage.Builder b = SandboxImage.builder(id);
        long start = 0x7f0000000000L;
        b.addMapping(Mapping.anonymous(start, (long) pages * PageSize.BYTES));
        byte[] page = new byte[PageSize.BYTES];
        for (int p = 0; p < pages; p++) {
            fill(page, seed, p);
            b.addPage(start + (long) p * PageSize.BYTES, page, 0);
        }
        return b.build();
    }

    static void fill(byte[] page, long seed, int p) {
        SplittableRandom r = new SplittableRandom(seed * 1_000_003L + p);
        for (int j = 0; j < page.length; j += 8) {
            long v = r.nextLong();
            for (int k = 0; k < 8; k++) {
                page[j + k] = (byte) (v >>> (8 * k));
            }
        }
    }

    /** Native buffer of {@code bytes} bytes filled with 0xEE. */
    static BytesStore<?, Void> buffer(long bytes) {
        BytesStore<?, Void> s = BytesStore.nativeStoreWithFixedCapacity(Math.max(bytes, 1));
        OffHeap.zero(s.addressForRead(0), Math.max(bytes, 1));
        long a = s.addressForRead(0);
        for (long i = 0; i < bytes; i++) {
            OffHeap.putByte(a + i, (byte) 0xEE);
        }
        return s;
    }

    static byte[] read(long address, long length) {
        byte[] out = new byte[(int) length];
        OffHeap.copyToArray(address, out, 0, out.length);
        return out;
    }

    /** Pages of an image, where reading page {@code stallPage} blocks until {@link #release()}. */
    static final class StallingPages implements RegionPages {
        final SandboxImage image;
        final int stallPage;
        final CountDownLatch reached = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        StallingPages(SandboxImage image, int stallPage) {
            this.image = image;
            this.stallPage = stallPage;
        }

        @Override
        public int pageCount() {
            return image.pageCount();
        }

        @Override
        public long pageAddress(int page) {
            if (page == stallPage) {
                reached.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return image.pageAddress(page);
        }

        void release() {
            release.countDown();
        }
    }
}
