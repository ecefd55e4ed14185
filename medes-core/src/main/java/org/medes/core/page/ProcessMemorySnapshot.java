package org.medes.core.page;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the memory of a live Linux process into a {@link SandboxImage} through
 * {@code /proc/PID/maps}, {@code /proc/PID/pagemap} and {@code /proc/PID/mem}.
 *
 * <p>It keeps the pages a CRIU dump would keep: pages of private, readable mappings that are
 * present or swapped and are anonymous or copied-on-write (pagemap bit 61 clear). Special
 * mappings ({@code [vvar]}, {@code [vdso]}, {@code [vsyscall]}) are skipped. Needs the
 * right to ptrace-read the process (root, or the same user with ptrace scope 0).
 * It does not stop the process: read an idle one.
 *
 * <p>Thread-safety: stateless; each call reads one process.
 */
public final class ProcessMemorySnapshot {
    private static final long PM_PRESENT = 1L << 63;
    private static final long PM_SWAPPED = 1L << 62;
    private static final long PM_FILE_OR_SHARED = 1L << 61;
    /** Pagemap entries read at once (512 KiB). */
    private static final int PAGEMAP_WINDOW = 1 << 16;

    private ProcessMemorySnapshot() {
    }

    /** Captures process {@code pid} into an image named {@code id}. */
    public static SandboxImage capture(long pid, String id) throws IOException {
        Path proc = Path.of("/proc", Long.toString(pid));
        List<Mapping> mappings = parseMaps(Files.readAllLines(proc.resolve("maps")));
        SandboxImage.Builder b = SandboxImage.builder(id);
        boolean ok = false;
        try (FileChannel pagemap = FileChannel.open(proc.resolve("pagemap"), StandardOpenOption.READ);
             RandomAccessFile mem = new RandomAccessFile(proc.resolve("mem").toFile(), "r")) {
            byte[] page = new byte[PageSize.BYTES];
            for (Mapping m : mappings) {
                if ((m.protection() & Mapping.SHARED) != 0 || (m.protection() & Mapping.READ) == 0
                        || m.name().equals("[vvar]") || m.name().equals("[vdso]") || m.name().equals("[vsyscall]")
                        || m.name().equals("[vvar_vclock]")) {
                    continue;
                }
                boolean added = false;
                // the pagemap is read a window at a time: a mapping may reserve far more than is present
                for (long first = 0; first < m.pageSpan(); first += PAGEMAP_WINDOW) {
                    long[] entries = readPagemap(pagemap, m.start() + (first << PageSize.SHIFT),
                            (int) Math.min(PAGEMAP_WINDOW, m.pageSpan() - first));
                    for (int i = 0; i < entries.length; i++) {
                        long e = entries[i];
                        if ((e & (PM_PRESENT | PM_SWAPPED)) == 0 || (e & PM_FILE_OR_SHARED) != 0) {
                            continue;
                        }
                        long vaddr = m.start() + ((first + i) << PageSize.SHIFT);
                        mem.seek(vaddr);
                        try {
                            mem.readFully(page);
                        } catch (IOException ex) {
                            continue; // unreadable page (e.g. guard); CRIU would not dump it either
                        }
                        if (!added) {
                            b.addMapping(m);
                            added = true;
                        }
                        b.addPage(vaddr, page, 0);
                    }
                }
            }
            SandboxImage image = b.build();
            ok = true;
            return image;
        } finally {
            if (!ok) {
                b.discard();
            }
        }
    }

    /** The pagemap entries of the {@code n} pages from {@code start}. */
    private static long[] readPagemap(FileChannel pagemap, long start, int n) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(n * 8).order(ByteOrder.nativeOrder());
        long pos = (start >>> PageSize.SHIFT) * 8;
        while (buf.hasRemaining()) {
            int r = pagemap.read(buf, pos + buf.position());
            if (r <= 0) {
                break;
            }
        }
        buf.flip();
        long[] out = new long[n];
        for (int i = 0; i < n && buf.remaining() >= 8; i++) {
            out[i] = buf.getLong();
        }
        return out;
    }

    /** Parses the text of {@code /proc/PID/maps}. */
    public static List<Mapping> parseMaps(List<String> lines) {
        List<Mapping> out = new ArrayList<>();
        for (String line : lines) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.trim().split("\\s+", 6);
            if (f.length < 5) {
                throw new IllegalArgumentException("malformed maps line: " + line);
            }
            int dash = f[0].indexOf('-');
            long start = Long.parseUnsignedLong(f[0].substring(0, dash), 16);
            long end = Long.parseUnsignedLong(f[0].substring(dash + 1), 16);
            String perms = f[1];
            int prot = (perms.charAt(0) == 'r' ? Mapping.READ : 0) | (perms.charAt(1) == 'w' ? Mapping.WRITE : 0)
                    | (perms.charAt(2) == 'x' ? Mapping.EXEC : 0) | (perms.charAt(3) == 's' ? Mapping.SHARED : 0);
            long offset = Long.parseUnsignedLong(f[2], 16);
            String name = f.length == 6 ? f[5].trim() : "";
            out.add(new Mapping(start, end - start, prot, name, offset));
        }
        return out;
    }
}
