package org.medes.criu.image;

import org.medes.core.page.OffHeap;
import org.medes.core.page.SandboxImage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A CRIU image directory, read and validated whole on {@link #open(Path)}: inventory, process
 * tree, each process's mm and pagemap, the size of every pages file, the pagemaps of the
 * {@code parent} chain, and where each page of each process is stored. Page data is not read
 * until {@link #toSandboxImage(int, String)}.
 *
 * <p>Thread-safety: immutable after open; {@link #toSandboxImage} may be called concurrently.
 */
public final class CriuImageDir {
    public static final String INVENTORY = "inventory.img";
    public static final String PSTREE = "pstree.img";
    /** The link to the previous (pre-)dump's directory (CR_PARENT_LINK). */
    public static final String PARENT = "parent";

    private final Path dir;
    private final int depth;
    private final EntryFile inventoryFile;
    private final InventoryEntry inventory;
    private final EntryFile pstreeFile;
    private final List<PstreeEntry> pstree;
    private final Map<Integer, CriuProcess> processes;
    private final Map<Integer, Pagemap> pagemaps;
    private final CriuImageDir parent;
    private final Map<Integer, List<PageRun>> runs;

    private CriuImageDir(Path dir, int depth, EntryFile inventoryFile, InventoryEntry inventory, EntryFile pstreeFile,
                         List<PstreeEntry> pstree, Map<Integer, CriuProcess> processes, Map<Integer, Pagemap> pagemaps,
                         CriuImageDir parent, Map<Integer, List<PageRun>> runs) {
        this.dir = dir;
        this.depth = depth;
        this.inventoryFile = inventoryFile;
        this.inventory = inventory;
        this.pstreeFile = pstreeFile;
        this.pstree = pstree;
        this.processes = processes;
        this.pagemaps = pagemaps;
        this.parent = parent;
        this.runs = runs;
    }

    /** Opens and validates the image directory {@code dir} and its parent chain. */
    public static CriuImageDir open(Path dir) throws IOException {
        return open(dir, 0, new HashSet<>(), null);
    }

    /**
     * The process tree of the image directory {@code dir} ({@code inventory.img} and
     * {@code pstree.img} only; nothing else is read or checked), root first.
     */
    public static List<PstreeEntry> readPstree(Path dir) throws IOException {
        Path invPath = dir.resolve(INVENTORY);
        EntryFile invFile = EntryFile.read(invPath, ImageHeader.Kind.INVENTORY, false);
        int version = InventoryEntry.decode(single(invFile).reader(invPath)).imgVersion();
        Path treePath = dir.resolve(PSTREE);
        return decodeTree(treePath, EntryFile.read(treePath, ImageHeader.Kind.PSTREE,
                ImageHeader.Kind.PSTREE.hasHeadMagic(version)));
    }

    private static List<PstreeEntry> decodeTree(Path treePath, EntryFile treeFile) throws IOException {
        List<PstreeEntry> t = new ArrayList<>();
        Set<Integer> seen = new HashSet<>();
        for (EntryFile.Frame f : treeFile.frames()) {
            PstreeEntry e = PstreeEntry.decode(f.reader(treePath));
            if (!seen.add(e.pid())) {
                throw new CriuImageFormatException(treePath, f.offset(), "pid " + e.pid() + " appears twice");
            }
            t.add(e);
        }
        return List.copyOf(t);
    }

    static String pagemapName(int pid) {
        return "pagemap-" + Integer.toUnsignedString(pid) + ".img";
    }

    static String mmName(int pid) {
        return "mm-" + Integer.toUnsignedString(pid) + ".img";
    }

    static String pagesName(int pagesId) {
        return "pages-" + Integer.toUnsignedString(pagesId) + ".img";
    }

    /** Opens one level; {@code childPids} is null for the top level, else the pids whose pagemaps to load. */
    private static CriuImageDir open(Path dir, int depth, Set<Path> visited, Set<Integer> childPids) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new CriuImageFormatException(dir, -1, "is not a directory");
        }
        if (depth > ImageLimits.MAX_PARENT_DEPTH) {
            throw new CriuImageFormatException(dir, -1, "parent chain deeper than " + ImageLimits.MAX_PARENT_DEPTH);
        }
        if (!visited.add(dir.toRealPath())) {
            throw new CriuImageFormatException(dir, -1, "parent chain loops back to " + dir.toRealPath());
        }
        boolean top = childPids == null;
        Path invPath = dir.resolve(INVENTORY);
        EntryFile invFile = null;
        InventoryEntry inv = null;
        if (Files.exists(invPath) || top) {
            invFile = EntryFile.read(invPath, ImageHeader.Kind.INVENTORY, false);
            inv = InventoryEntry.decode(single(invFile).reader(invPath));
            if (inv.imgVersion() != InventoryEntry.CRTOOLS_IMAGES_V1
                    && inv.imgVersion() != InventoryEntry.CRTOOLS_IMAGES_V1_1) {
                throw new CriuImageFormatException(invPath, single(invFile).messageOffset(),
                        "unsupported img_version " + Integer.toUnsignedString(inv.imgVersion()));
            }
        }
        int version = inv == null ? InventoryEntry.CRTOOLS_IMAGES_V1_1 : inv.imgVersion();
        Path treePath = dir.resolve(PSTREE);
        EntryFile treeFile = null;
        List<PstreeEntry> tree = List.of();
        if (top || Files.exists(treePath)) {
            treeFile = EntryFile.read(treePath, ImageHeader.Kind.PSTREE, ImageHeader.Kind.PSTREE.hasHeadMagic(version));
            tree = decodeTree(treePath, treeFile);
        }
        Set<Integer> pids = new java.util.LinkedHashSet<>();
        if (top) {
            tree.forEach(e -> pids.add(e.pid()));
        } else {
            pids.addAll(childPids);
        }
        Map<Integer, Pagemap> pagemaps = new LinkedHashMap<>();
        for (int pid : pids) {
            Path pm = dir.resolve(pagemapName(pid));
            if (Files.exists(pm)) {
                Pagemap p = Pagemap.from(EntryFile.read(pm, ImageHeader.Kind.PAGEMAP,
                        ImageHeader.Kind.PAGEMAP.hasHeadMagic(version)));
                checkPagesFile(dir, p);
                pagemaps.put(pid, p);
            }
        }
        Map<Integer, CriuProcess> procs = new LinkedHashMap<>();
        if (top) {
            for (PstreeEntry e : tree) {
                procs.put(e.pid(), loadProcess(dir, e, version, pagemaps.get(e.pid())));
            }
        }
        CriuImageDir par = null;
        Path link = dir.resolve(PARENT);
        if (Files.exists(link)) {
            par = open(link, depth + 1, visited, pids);
        } else if (Files.exists(link, LinkOption.NOFOLLOW_LINKS)) {
            par = null; // a dangling link: fails below only if a page needs it
        }
        CriuImageDir level = new CriuImageDir(dir, depth, invFile, inv, treeFile, tree,
                Collections.unmodifiableMap(procs), Collections.unmodifiableMap(pagemaps), par, Map.of());
        if (!top) {
            return level;
        }
        Map<Integer, List<PageRun>> runs = new LinkedHashMap<>();
        for (CriuProcess p : procs.values()) {
            if (p.pagemap() != null) {
                runs.put(p.pid(), level.resolveRuns(p.pid(), p.pagemap()));
            }
        }
        return new CriuImageDir(dir, depth, invFile, inv, treeFile, tree, level.processes, level.pagemaps, par,
                Collections.unmodifiableMap(runs));
    }

    private static EntryFile.Frame single(EntryFile f) throws CriuImageFormatException {
        if (f.frames().size() != 1) {
            throw new CriuImageFormatException(f.path(), f.frames().isEmpty() ? f.headerBytes() : f.frames().get(1).offset(),
                    "holds " + f.frames().size() + " entries, expected exactly one");
        }
        return f.frames().get(0);
    }

    private static CriuProcess loadProcess(Path dir, PstreeEntry e, int version, Pagemap pagemap) throws IOException {
        Path mmPath = dir.resolve(mmName(e.pid()));
        boolean hasMm = Files.exists(mmPath);
        if (!hasMm && pagemap == null) {
            return new CriuProcess(e, null, null, null);
        }
        if (!hasMm) {
            throw new CriuImageFormatException(mmPath, -1, "missing, but " + pagemap.path().getFileName() + " exists");
        }
        if (pagemap == null) {
            throw new CriuImageFormatException(dir.resolve(pagemapName(e.pid())), -1, "missing, but "
                    + mmPath.getFileName() + " exists");
        }
        EntryFile mmFile = EntryFile.read(mmPath, ImageHeader.Kind.MM, ImageHeader.Kind.MM.hasHeadMagic(version));
        MmEntry mm = MmEntry.decode(single(mmFile).reader(mmPath));
        VmaMappings.validate(mmPath, mm.vmas());
        VmaMappings.checkCovered(pagemap, mm.vmas());
        return new CriuProcess(e, mm, mmFile, pagemap);
    }

    private static void checkPagesFile(Path dir, Pagemap p) throws IOException {
        Path pages = dir.resolve(pagesName(p.head().pagesId()));
        long need = p.presentPages() << ImageLimits.PAGE_SHIFT;
        long have = Files.exists(pages) ? Files.size(pages) : -1;
        if (have < 0 && need > 0) {
            throw new CriuImageFormatException(p.path(), p.file().frames().get(0).offset(), "its pages file "
                    + pages.getFileName() + " is missing");
        }
        if (have < need) {
            int last = p.entries().size() - 1;
            while (last >= 0 && !p.entries().get(last).present()) {
                last--;
            }
            throw new CriuImageFormatException(p.path(), p.entryFileOffset(last), "pagemap points past the end of "
                    + pages.getFileName() + ": needs " + need + " bytes, the file has " + have);
        }
    }

    /** Where each present or parent page of process {@code pid} is stored, in address order. */
    private List<PageRun> resolveRuns(int pid, Pagemap pm) throws CriuImageFormatException {
        List<PageRun> out = new ArrayList<>();
        Path pages = dir.resolve(pagesName(pm.head().pagesId()));
        for (int i = 0; i < pm.entries().size(); i++) {
            PagemapEntry e = pm.entries().get(i);
            if (e.inParentImage()) {
                resolveInParent(parent, 1, pid, e.vaddr(), e.pageCount(), pm.path(), pm.entryFileOffset(i), out);
            } else if (e.present()) {
                out.add(new PageRun(e.vaddr(), e.pageCount(), pages, pm.pagesOffset(i), 0));
            }
        }
        return List.copyOf(out);
    }

    private void resolveInParent(CriuImageDir level, int d, int pid, long vaddr, long n, Path from, long fromOffset,
                                 List<PageRun> out) throws CriuImageFormatException {
        if (level == null) {
            throw new CriuImageFormatException(from, fromOffset, "pages at 0x" + Long.toHexString(vaddr)
                    + " are PE_PARENT but there is no parent image");
        }
        Pagemap pm = level.pagemaps.get(pid);
        if (pm == null) {
            throw new CriuImageFormatException(from, fromOffset, "pages at 0x" + Long.toHexString(vaddr)
                    + " are PE_PARENT but parent " + level.dir + " has no " + pagemapName(pid));
        }
        Path pages = level.dir.resolve(pagesName(pm.head().pagesId()));
        long cur = vaddr;
        long left = n;
        int i = pm.firstEndingAbove(cur);
        while (left > 0) {
            if (i >= pm.entries().size() || Long.compareUnsigned(pm.entries().get(i).vaddr(), cur) > 0) {
                throw new CriuImageFormatException(from, fromOffset, "page 0x" + Long.toHexString(cur)
                        + " is PE_PARENT but missing from parent pagemap " + pm.path());
            }
            PagemapEntry e = pm.entries().get(i);
            long skip = (cur - e.vaddr()) >>> ImageLimits.PAGE_SHIFT;
            long take = Math.min(left, e.pageCount() - skip);
            if (e.inParentImage()) {
                resolveInParent(level.parent, d + 1, pid, cur, take, pm.path(), pm.entryFileOffset(i), out);
            } else if (e.present()) {
                out.add(new PageRun(cur, take, pages, pm.pagesOffset(i) + (skip << ImageLimits.PAGE_SHIFT), d));
            } else {
                throw new CriuImageFormatException(from, fromOffset, "page 0x" + Long.toHexString(cur)
                        + " is PE_PARENT but lazy, not stored, in parent pagemap " + pm.path());
            }
            cur += take << ImageLimits.PAGE_SHIFT;
            left -= take;
            i++;
        }
    }

    public Path dir() {
        return dir;
    }

    /** The inventory entry; empty only for a parent directory without one. */
    public Optional<InventoryEntry> inventory() {
        return Optional.ofNullable(inventory);
    }

    /** The inventory file as read, frames verbatim; null only for a parent without one. */
    public EntryFile inventoryFile() {
        return inventoryFile;
    }

    /** The process tree in file order (empty for a parent directory without pstree.img). */
    public List<PstreeEntry> pstree() {
        return pstree;
    }

    /** The pstree file as read; null for a parent directory without one. */
    public EntryFile pstreeFile() {
        return pstreeFile;
    }

    /** The processes of the top-level image, in pstree order. */
    public List<CriuProcess> processes() {
        return List.copyOf(processes.values());
    }

    public CriuProcess process(int pid) {
        CriuProcess p = processes.get(pid);
        if (p == null) {
            throw new IllegalArgumentException("no process " + pid + " in " + dir);
        }
        return p;
    }

    /** The pagemap of {@code pid} at this level, if any. */
    public Optional<Pagemap> pagemap(int pid) {
        return Optional.ofNullable(pagemaps.get(pid));
    }

    /** The previous dump this one builds on, if the {@code parent} link exists. */
    public Optional<CriuImageDir> parent() {
        return Optional.ofNullable(parent);
    }

    /** Parent links between this level and the top. */
    public int depth() {
        return depth;
    }

    /** Where each stored page of {@code pid} lives (lazy-only pages are not stored and not listed). */
    public List<PageRun> pageRuns(int pid) {
        process(pid);
        return runs.getOrDefault(pid, List.of());
    }

    /** Number of stored pages of {@code pid}. */
    public long storedPages(int pid) {
        long n = 0;
        for (PageRun r : pageRuns(pid)) {
            n += r.pages();
        }
        return n;
    }

    /**
     * The memory of process {@code pid}: one mapping per VMA and every stored page (present here or
     * in a parent), each copied once from a memory map of its pages file into the image's slabs.
     * Lazy-only pages, which no pages file holds, are absent.
     */
    public SandboxImage toSandboxImage(int pid, String id) throws IOException {
        CriuProcess p = process(pid);
        if (storedPages(pid) > Integer.MAX_VALUE) {
            throw new CriuImageFormatException(p.pagemap().path(), -1, "too many pages for one image");
        }
        Map<Long, String> files = RegFileNames.read(dir,
                inventory == null ? InventoryEntry.CRTOOLS_IMAGES_V1_1 : inventory.imgVersion());
        SandboxImage.Builder b = SandboxImage.builder(id);
        boolean ok = false;
        try (MappedPages mapped = new MappedPages()) {
            for (VmaEntry v : p.vmas()) {
                try {
                    b.addMapping(VmaMappings.toMapping(v, files));
                } catch (IllegalArgumentException e) {
                    throw new CriuImageFormatException(p.mmPath(), -1, e.getMessage());
                }
            }
            for (PageRun r : pageRuns(pid)) {
                for (long k = 0; k < r.pages(); k++) {
                    long src = mapped.pageAddress(r.pagesFile(), r.fileOffset() + (k << ImageLimits.PAGE_SHIFT));
                    long vaddr = r.vaddr() + (k << ImageLimits.PAGE_SHIFT);
                    long dst;
                    try {
                        dst = b.reservePage(vaddr);
                    } catch (IllegalArgumentException e) {
                        throw new CriuImageFormatException(p.pagemap().path(), -1, e.getMessage());
                    }
                    OffHeap.copy(src, dst, ImageLimits.PAGE_BYTES);
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

    @Override
    public String toString() {
        return "CriuImageDir[" + dir + ", " + processes.size() + " processes" + (parent != null ? ", parent " + parent.dir : "")
                + "]";
    }
}
