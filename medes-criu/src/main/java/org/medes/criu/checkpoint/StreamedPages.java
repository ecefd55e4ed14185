package org.medes.criu.checkpoint;

import org.medes.core.engine.DedupEngine;
import org.medes.core.page.PageSize;
import org.medes.criu.tool.ImageStreamer;

import java.io.IOException;
import java.io.InterruptedIOException;

/**
 * The pages of a streamed dedup start: the engine rebuilds them into native memory and reports
 * each checked block ({@link DedupEngine.RebuildProgress}); CRIU's pipe gets them in page order as
 * soon as a run is complete ({@link ImageStreamer.Content}). A page is written only after it was
 * rebuilt and checked; on {@link #abort} the file stops short, which makes CRIU fail the restore.
 *
 * <p>Thread-safety: thread-safe (engine threads report, one streamer thread writes).
 */
final class StreamedPages implements DedupEngine.RebuildProgress, ImageStreamer.Content {
    private final String file;
    private long address;
    private boolean[] done;
    private String aborted;

    StreamedPages(String file) {
        this.file = file;
    }

    /** The pages will be rebuilt at {@code address}, {@code pages} of them, in image order. */
    synchronized void begin(long address, int pages) {
        this.address = address;
        this.done = new boolean[pages];
        notifyAll();
    }

    @Override
    public synchronized void rebuilt(int fromPage, int toPage) {
        for (int p = fromPage; p < toPage; p++) {
            done[p] = true;
        }
        notifyAll();
    }

    /** Stops the file at the first page not yet written; a no-op once every page is written. */
    synchronized void abort(String why) {
        if (aborted == null) {
            aborted = why;
        }
        notifyAll();
    }

    @Override
    public void writeTo(ImageStreamer.Pipe out) throws IOException {
        int at = 0;
        while (true) {
            long from;
            int end;
            synchronized (this) {
                while ((done == null || (at < done.length && !done[at])) && aborted == null) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new InterruptedIOException("interrupted while streaming " + file);
                    }
                }
                if (done != null && at == done.length) {
                    return;
                }
                if (aborted != null) {
                    throw new IOException("stopped " + file + " after " + at + " pages: " + aborted);
                }
                end = at;
                while (end < done.length && done[end]) {
                    end++;
                }
                from = address + ((long) at << PageSize.SHIFT);
            }
            out.write(from, (long) (end - at) << PageSize.SHIFT);
            at = end;
        }
    }
}
