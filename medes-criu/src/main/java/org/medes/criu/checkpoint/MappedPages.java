package org.medes.criu.checkpoint;

import net.openhft.chronicle.bytes.BytesStore;
import org.medes.core.engine.PageRestoreException;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Maps a new pages file shared and writable so the engine can rebuild pages straight into it, and
 * unmaps it right after (not at some later garbage collection).
 *
 * <p>Thread-safety: stateless.
 */
final class MappedPages {
    /** Pages of at most this many bytes go in one mapping (a {@link MappedByteBuffer}'s limit). */
    static final long MAX_BYTES = Integer.MAX_VALUE & ~4095L;

    @FunctionalInterface
    interface Fill {
        void into(long address) throws PageRestoreException;
    }

    private MappedPages() {
    }

    /**
     * Sizes the file of {@code ch} to {@code bytes}, maps it and lets {@code fill} write it through
     * the mapping's native address.
     *
     * @throws IOException when the file cannot be mapped (too large, or the file system refuses)
     */
    static void rebuildInto(FileChannel ch, long bytes, Fill fill) throws IOException, PageRestoreException {
        if (bytes > MAX_BYTES) {
            throw new IOException("pages of " + bytes + " bytes exceed the " + MAX_BYTES + " bytes one mapping holds");
        }
        MappedByteBuffer buf = ch.map(FileChannel.MapMode.READ_WRITE, 0, bytes);
        BytesStore<?, ?> view = BytesStore.wrap(buf);
        try {
            fill.into(view.addressForWrite(0));
        } finally {
            unmap(buf);
        }
    }

    /** Unmaps {@code buf} now; it must not be used afterwards. */
    private static void unmap(MappedByteBuffer buf) {
        try {
            Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
            java.lang.reflect.Field f = unsafeClass.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            Method clean = unsafeClass.getMethod("invokeCleaner", java.nio.ByteBuffer.class);
            clean.invoke(f.get(null), buf);
        } catch (ReflectiveOperationException | RuntimeException e) {
            // left to the garbage collector: the file stays correct, only the mapping lives longer
        }
    }
}
