package org.medes.criu.image;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Builds image directories with {@link CriuImageWriter}: a chain of three dumps (two pre-dumps and
 * a final dump) of three processes, with VMAs separated by holes and PE_PRESENT, PE_PARENT and
 * PE_LAZY pages, and an oracle of what each process's stored pages must hold.
 */
final class Fixtures {
    static final int P = 4096;
    static final int PRESENT = PagemapEntry.PE_PRESENT;
    static final int PARENT = PagemapEntry.PE_PARENT;
    static final int LAZY = PagemapEntry.PE_LAZY;

    static final long CODE = 0x400000L;
    static final long DATA = 0x600000L;
    static final long HEAP = 0x1000000L;
    static final long STACK = 0x7ffff0000000L;
    static final long ANON = 0x7f0000000000L;

    record Run(long vaddr, int pages, int flags) {
    }

    private Fixtures() {
    }

    /** Deterministic page bytes of {@code vaddr} of {@code pid} as dumped at {@code level}. */
    static byte[] content(int level, int pid, long vaddr) {
        byte[] b = new byte[P];
        SplittableRandom r = new SplittableRandom(level * 1_000_003L ^ pid * 7919L ^ vaddr);
        for (int i = 0; i < P; i += 8) {
            long v = r.nextLong();
            for (int k = 0; k < 8; k++) {
                b[i + k] = (byte) (v >>> (8 * k));
            }
        }
        return b;
    }

    static List<VmaEntry> vmas1() {
        return List.of(
                new VmaEntry(CODE, CODE + 16L * P, 0x1000, 3, VmaEntry.PROT_READ | VmaEntry.PROT_EXEC,
                        VmaEntry.MAP_PRIVATE, VmaEntry.VMA_AREA_REGULAR | VmaEntry.VMA_FILE_PRIVATE, -1, 0L, 0x8000,
                        UnknownFields.NONE),
                VmaEntry.anonymous(DATA, DATA + 32L * P),
                new VmaEntry(HEAP, HEAP + 8L * P, 0, 0, VmaEntry.PROT_READ | VmaEntry.PROT_WRITE,
                        VmaEntry.MAP_PRIVATE | VmaEntry.MAP_ANONYMOUS,
                        VmaEntry.VMA_AREA_REGULAR | VmaEntry.VMA_ANON_PRIVATE | VmaEntry.VMA_AREA_HEAP, -1, null, null,
                        UnknownFields.NONE),
                new VmaEntry(STACK, STACK + 4L * P, 0, 0, VmaEntry.PROT_READ | VmaEntry.PROT_WRITE,
                        VmaEntry.MAP_PRIVATE | VmaEntry.MAP_ANONYMOUS | 0x100,
                        VmaEntry.VMA_AREA_REGULAR | VmaEntry.VMA_ANON_PRIVATE | VmaEntry.VMA_AREA_STACK, -1, null,
                        null, UnknownFields.NONE));
    }

    static List<VmaEntry> vmas7() {
        return List.of(VmaEntry.anonymous(ANON, ANON + 8L * P), VmaEntry.anonymous(ANON + 16L * P, ANON + 20L * P));
    }

    /** Pagemaps per level (0 oldest) per pid. */
    static List<Map<Integer, List<Run>>> chainPagemaps() {
        Map<Integer, List<Run>> l0 = new LinkedHashMap<>();
        l0.put(1, List.of(new Run(CODE, 8, PRESENT), new Run(DATA, 16, PRESENT)));
        Map<Integer, List<Run>> l1 = new LinkedHashMap<>();
        l1.put(1, List.of(new Run(CODE, 4, PARENT), new Run(CODE + 4L * P, 4, PRESENT), new Run(DATA, 16, PARENT),
                new Run(HEAP, 4, PRESENT)));
        Map<Integer, List<Run>> l2 = new LinkedHashMap<>();
        l2.put(1, List.of(new Run(CODE, 8, PARENT), new Run(DATA, 8, PRESENT), new Run(DATA + 8L * P, 8, PARENT),
                new Run(DATA + 16L * P, 4, LAZY), new Run(HEAP, 4, PARENT), new Run(HEAP + 4L * P, 2, PRESENT | LAZY),
                new Run(STACK, 4, PRESENT)));
        l2.put(7, List.of(new Run(ANON, 3, PRESENT), new Run(ANON + 3L * P, 2, LAZY), new Run(ANON + 16L * P, 4, PRESENT)));
        return List.of(l0, l1, l2);
    }

    static List<PstreeEntry> tree() {
        return List.of(new PstreeEntry(1, 0, 1, 1, List.of(1, 2), UnknownFields.NONE), PstreeEntry.of(7, 1),
                PstreeEntry.of(9, 1));
    }

    /** Writes the chain d0 <- d1 <- d2 under {@code root} (relative parent links) and returns d2. */
    static Path chain(Path root) throws IOException {
        List<Map<Integer, List<Run>>> levels = chainPagemaps();
        Path prev = null;
        for (int level = 0; level < levels.size(); level++) {
            Path d = Files.createDirectories(root.resolve("d" + level));
            boolean last = level == levels.size() - 1;
            writeLevel(d, level, levels.get(level), last);
            if (prev != null) {
                CriuImageWriter.linkParent(d, Path.of("..", prev.getFileName().toString()));
            }
            prev = d;
        }
        return prev;
    }

    static void writeLevel(Path d, int level, Map<Integer, List<Run>> pagemaps, boolean full) throws IOException {
        CriuImageWriter.writeInventory(d, InventoryEntry.of(new TaskKobjIds(1, 1, 1, 1, UnknownFields.NONE)));
        if (full) {
            CriuImageWriter.writePstree(d, tree());
            CriuImageWriter.writeMm(d, 1, mm(vmas1()));
            CriuImageWriter.writeMm(d, 7, mm(vmas7()));
            writeFiles(d, Map.of(3, "/usr/bin/fixture"));
        }
        int pagesId = 1;
        for (Map.Entry<Integer, List<Run>> e : pagemaps.entrySet()) {
            int pid = e.getKey();
            List<PagemapEntry> entries = new ArrayList<>();
            java.io.ByteArrayOutputStream pages = new java.io.ByteArrayOutputStream();
            for (Run r : e.getValue()) {
                entries.add(PagemapEntry.of(r.vaddr(), r.pages(), r.flags()));
                if ((r.flags() & PRESENT) != 0) {
                    for (int k = 0; k < r.pages(); k++) {
                        pages.writeBytes(content(level, pid, r.vaddr() + (long) k * P));
                    }
                }
            }
            CriuImageWriter.writePagemap(d, pid, PagemapHead.of(pagesId), entries);
            CriuImageWriter.writePages(d, pagesId, pages.toByteArray());
            pagesId++;
        }
    }

    static MmEntry mm(List<VmaEntry> vmas) {
        List<Long> layout = new ArrayList<>();
        for (int i = 0; i < 11; i++) {
            layout.add(CODE + i * 0x100L);
        }
        ProtoWriter extra = new ProtoWriter();
        extra.uint64(13, 33);   // mm_saved_auxv, kept as an unknown field
        extra.uint64(13, 0x1000);
        extra.int32(15, 1);     // dumpable
        UnknownFields.Builder u = UnknownFields.builder();
        byte[] raw = extra.finish();
        // split the three fields back out: each is 2..3 bytes; parse them the way the reader does
        ProtoReader r = new ProtoReader(raw, 0, raw.length, Path.of("fixture"), 0);
        try {
            while (r.hasMore()) {
                r.keepUnknown(r.readTag(), u);
            }
        } catch (CriuImageFormatException e) {
            throw new AssertionError(e);
        }
        return new MmEntry(layout, 5, vmas, u.build());
    }

    /**
     * What the stored pages of {@code pid} must hold in the newest level: replay the levels oldest
     * first; a present page takes that level's content, a parent page keeps the older content, a
     * lazy-only page is not stored.
     */
    static TreeMap<Long, byte[]> expected(int pid) {
        TreeMap<Long, byte[]> pages = new TreeMap<>(Long::compareUnsigned);
        List<Map<Integer, List<Run>>> levels = chainPagemaps();
        for (int level = 0; level < levels.size(); level++) {
            TreeMap<Long, byte[]> next = new TreeMap<>(Long::compareUnsigned);
            for (Run r : levels.get(level).getOrDefault(pid, List.of())) {
                for (int k = 0; k < r.pages(); k++) {
                    long v = r.vaddr() + (long) k * P;
                    if ((r.flags() & PARENT) != 0) {
                        next.put(v, pages.get(v));
                    } else if ((r.flags() & PRESENT) != 0) {
                        next.put(v, content(level, pid, v));
                    }
                }
            }
            pages = next;
        }
        return pages;
    }

    /** Copies a directory tree, symbolic links as links. */
    static void copyTree(Path from, Path to) throws IOException {
        try (var s = Files.walk(from)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isSymbolicLink(p)) {
                    Files.createSymbolicLink(t, Files.readSymbolicLink(p));
                } else if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t);
                }
            }
        }
    }

    /** A {@code files.img} of regular files, id to path. */
    static void writeFiles(Path d, Map<Integer, String> files) throws IOException {
        List<byte[]> entries = new ArrayList<>();
        new TreeMap<>(files).forEach((id, path) -> entries.add(regFileEntry(id, path)));
        writeFilesImg(d, entries);
    }

    /** {@code d/files.img} holding {@code entries} ({@code file_entry} messages). */
    static void writeFilesImg(Path d, List<byte[]> entries) throws IOException {
        Path f = d.resolve("files.img");
        new EntryFile(f, ImageHeader.Kind.FILES, true, entries.stream().map(m -> new EntryFile.Frame(0, m)).toList())
                .write(f);
    }

    /**
     * A {@code file_entry} of a regular file as CRIU writes one: type REG, the id, and a
     * {@code reg_file_entry} with flags, pos, fown, the path ({@code name}; left out when null) and
     * the size.
     */
    static byte[] regFileEntry(int id, String name) {
        ProtoWriter fown = new ProtoWriter();
        fown.uint32(1, 0);
        ProtoWriter reg = new ProtoWriter();
        reg.uint32(1, id);
        reg.uint32(2, 0x8000);
        reg.uint64(3, 0);
        reg.bytes(5, fown.finish());
        if (name != null) {
            reg.bytes(6, name.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        reg.uint64(8, 12345); // size: not read
        ProtoWriter entry = new ProtoWriter();
        entry.uint32(1, 1); // REG
        entry.uint32(2, id);
        entry.bytes(3, reg.finish());
        return entry.finish();
    }
}
