package org.medes.criu.image;

import net.openhft.chronicle.bytes.BytesStore;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;

/**
 * Read-only memory maps of {@code pages-N.img} files, in 1 GiB windows, giving the native address
 * of a page so it is copied once, straight from the page cache. The caller has checked every
 * offset against the file size.
 *
 * <p>Thread-safety: not thread-safe. {@link #close()} is idempotent.
 */
final class MappedPages implements AutoCloseable {
    private static final int WINDOW_SHIFT = 30;
    private static final long WINDOW = 1L << WINDOW_SHIFT;

    private final Map<Path, FileChannel> channels = new HashMap<>();
    private final Map<String, BytesStore<?, ?>> windows = new HashMap<>();
    private boolean closed;

    /** Native address of the page at {@code offset} (page aligned) of {@code file}. */
    long pageAddress(Path file, long offset) throws IOException {
        long w = offset >>> WINDOW_SHIFT;
        String key = file + "#" + w;
        BytesStore<?, ?> store = windows.get(key);
        if (store == null) {
            FileChannel ch = channels.get(file);
            if (ch == null) {
                ch = FileChannel.open(file, StandardOpenOption.READ);
                channels.put(file, ch);
            }
            long start = w << WINDOW_SHIFT;
            long len = Math.min(WINDOW, ch.size() - start);
            if (len < ImageLimits.PAGE_BYTES) {
                throw new CriuImageFormatException(file, offset, "page past the end of the file");
            }
            MappedByteBuffer buf = ch.map(FileChannel.MapMode.READ_ONLY, start, len);
            store = BytesStore.wrap(buf);
            windows.put(key, store);
        }
        long in = offset & (WINDOW - 1);
        if (in + ImageLimits.PAGE_BYTES > store.realCapacity()) {
            throw new CriuImageFormatException(file, offset, "page past the end of the file");
        }
        return store.addressForRead(in);
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        windows.values().forEach(BytesStore::releaseLast);
        IOException first = null;
        for (FileChannel ch : channels.values()) {
            try {
                ch.close();
            } catch (IOException e) {
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
