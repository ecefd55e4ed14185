package org.medes.core.patch;

import org.medes.core.page.Mapping;
import org.medes.core.page.PageSize;
import org.medes.core.page.ProcessMemorySnapshot;
import org.medes.core.page.SandboxImage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Measures the patch codecs on two live instances of one program: starts both with slightly
 * different inputs, waits until they are idle, captures their memory, pairs each target page
 * with the page at the same offset of the matching base mapping (mappings matched by name,
 * protection and order), relocates pointers by each matched mapping's offset, and prints saved
 * fractions and single-thread encode/decode speed per codec, with per-page LZ4 as a reference,
 * followed by the pointer-aware and split-stream encoders' other speed/size trade-offs ({@link #SURVEYED}).
 *
 * <p>Run as root from the repository root: {@code medes-core/survey.sh python python-same node node-same}
 * (it compiles the tests, builds the class path and adds the JVM flags Chronicle needs).
 * {@code replay:PREFIX} re-runs the codecs on pages written with {@code -Dsurvey.dump=DIR}
 * (as {@code DIR/NAME-target.bin} and the relocated {@code DIR/NAME-base.bin}) and prints where the
 * op-stream bytes go; {@code profile:PREFIX} loops encode and decode for a profiler.
 * Both instances of a run get their own ASLR layout and, for Python, their own string-hash seed,
 * so figures vary from run to run by a few points.
 */
public final class PatchCodecSurvey {
    private static final String PYTHON = "import json, decimal, collections, sys; n=int(sys.argv[1]); "
            + "d={str(i): [i]*(i%7) for i in range(n)}; s=json.dumps(d); sys.stdin.read()";
    private static final String NODE = "const n=+process.argv[1]; const d={}; for (let i=0;i<n;i++) "
            + "d[String(i)]=Array(i%7).fill(i); const s=JSON.stringify(d); process.stdin.resume()";

    /** Workloads: base and target command lines (the "-same" ones give both the same input). */
    private static final Map<String, List<List<String>>> PROGRAMS = Map.of(
            "python", List.of(List.of("python3", "-c", PYTHON, "30000"), List.of("python3", "-c", PYTHON, "30011")),
            "python-same", List.of(List.of("python3", "-c", PYTHON, "30000"), List.of("python3", "-c", PYTHON, "30000")),
            "node", List.of(List.of("node", "-e", NODE, "30000"), List.of("node", "-e", NODE, "30011")),
            "node-same", List.of(List.of("node", "-e", NODE, "30000"), List.of("node", "-e", NODE, "30000")));

    /** The registered codecs, then the pointer-aware and split-stream encoders' other speed/size trade-offs. */
    static final List<PatchCodec> SURVEYED = surveyed();

    private PatchCodecSurvey() {
    }

    public static void main(String[] args) throws Exception {
        List<String> workloads = args.length == 0 ? List.of("python") : List.of(args);
        for (String w : workloads) {
            if (w.startsWith("profile:")) {
                profile(w.substring("profile:".length()));
                continue;
            }
            if (w.startsWith("replay:")) {
                replay(w.substring("replay:".length()));
                continue;
            }
            List<List<String>> cmds = PROGRAMS.get(w);
            if (cmds == null) {
                throw new IllegalArgumentException("unknown workload " + w + "; known: " + PROGRAMS.keySet());
            }
            survey(w, cmds.get(0), cmds.get(1));
        }
    }

    private static void survey(String name, List<String> baseCmd, List<String> targetCmd) throws Exception {
        Process bp = new ProcessBuilder(baseCmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        Process tp = new ProcessBuilder(targetCmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            waitIdle(bp.pid());
            waitIdle(tp.pid());
            List<Mapping> baseMaps = ProcessMemorySnapshot.parseMaps(Files.readAllLines(Path.of("/proc", "" + bp.pid(), "maps")));
            List<Mapping> targetMaps = ProcessMemorySnapshot.parseMaps(Files.readAllLines(Path.of("/proc", "" + tp.pid(), "maps")));
            try (SandboxImage base = ProcessMemorySnapshot.capture(bp.pid(), name + "-base");
                 SandboxImage target = ProcessMemorySnapshot.capture(tp.pid(), name + "-target")) {
                report(name, base, target, baseMaps, targetMaps);
            }
        } finally {
            bp.destroy();
            tp.destroy();
            bp.waitFor();
            tp.waitFor();
        }
    }

    /** Re-runs the codecs on pages written by -Dsurvey.dump (the base there is already relocated). */
    private static void replay(String prefix) throws IOException {
        byte[] tAll = Files.readAllBytes(Path.of(prefix + "-target.bin"));
        byte[] bAll = Files.readAllBytes(Path.of(prefix + "-base.bin"));
        int pages = tAll.length / PageSize.BYTES;
        boolean[] paired = new boolean[pages];
        boolean[] zero = new boolean[pages];
        boolean[] same = new boolean[pages];
        java.util.Arrays.fill(paired, true);
        for (int p = 0; p < pages; p++) {
            zero[p] = isZero(tAll, p * PageSize.BYTES);
            same[p] = java.util.Arrays.equals(tAll, p * PageSize.BYTES, (p + 1) * PageSize.BYTES,
                    bAll, p * PageSize.BYTES, (p + 1) * PageSize.BYTES);
        }
        System.out.printf(Locale.ROOT, "%n== replay %s: %d paired pages%n", prefix, pages);
        evaluate(tAll, bAll, paired, zero, same, PointerRelocation.none());
        opStats(tAll, bAll, paired, zero, same);
    }

    /** Encodes then decodes the dumped pages with the default codec for a while, for a profiler. */
    private static void profile(String prefix) throws IOException {
        byte[] tAll = Files.readAllBytes(Path.of(prefix + "-target.bin"));
        byte[] bAll = Files.readAllBytes(Path.of(prefix + "-base.bin"));
        int pages = tAll.length / PageSize.BYTES;
        PatchEncoder enc = PatchCodecs.defaultCodec().newEncoder();
        PatchDecoder dec = PatchCodecs.defaultCodec().newDecoder();
        int stride = PointerAwarePatchFormat.MAX_OPS_BYTES + 64;
        byte[] patches = new byte[pages * stride];
        int[] len = new int[pages];
        byte[] dst = new byte[PageSize.BYTES];
        for (int round = 0; round < 30; round++) {
            long t0 = System.nanoTime();
            for (int p = 0; p < pages; p++) {
                len[p] = enc.encode(tAll, p * PageSize.BYTES, bAll, p * PageSize.BYTES, PointerRelocation.none(),
                        patches, p * stride, stride);
            }
            long t1 = System.nanoTime();
            for (int p = 0; p < pages; p++) {
                try {
                    dec.decode(patches, p * stride, len[p], bAll, p * PageSize.BYTES, PointerRelocation.none(), dst, 0);
                } catch (PatchFormatException e) {
                    throw new AssertionError(e);
                }
            }
            long t2 = System.nanoTime();
            System.out.printf(Locale.ROOT, "round %d: encode %.0f MB/s, decode %.0f MB/s%n", round,
                    pages * 4096.0 / (t1 - t0) * 1e3, pages * 4096.0 / (t2 - t1) * 1e3);
        }
    }

    /** Where the bytes of pointer-aware op streams go. */
    private static void opStats(byte[] tAll, byte[] bAll, boolean[] paired, boolean[] zero, boolean[] same) {
        PointerAwarePatchCodec.Encoder enc = (PointerAwarePatchCodec.Encoder) new PointerAwarePatchCodec().newEncoder();
        byte[] out = new byte[2 * PointerAwarePatchFormat.MAX_OPS_BYTES];
        long[] kindBytes = new long[8];
        long[] kindWords = new long[8];
        long[] refWords = new long[PointerAwarePatchFormat.REFS];
        long[] refBytes = new long[PointerAwarePatchFormat.REFS];
        long lz4Used = 0;
        long changed = 0;
        double entropyBytes = 0;
        double splitBytes = 0;
        long sameDelta = 0;
        int[][] split = new int[10][256];
        long rawOps = 0;
        long finalBytes = 0;
        for (int p = 0; p < paired.length; p++) {
            if (zero[p] || same[p]) {
                continue;
            }
            changed++;
            int n = enc.encode(tAll, p * PageSize.BYTES, bAll, p * PageSize.BYTES, PointerRelocation.none(), out, 0, out.length);
            lz4Used += out[0] == PointerAwarePatchFormat.FLAGS_LZ4 ? 1 : 0;
            byte[] s = enc.lastOps();
            int end = enc.lastOpsLength();
            int[] hist = new int[256];
            for (int j = 0; j < end; j++) {
                hist[s[j] & 0xFF]++;
            }
            double bits = 0;
            for (int h : hist) {
                bits += h == 0 ? 0 : h * Math.log((double) end / h) / Math.log(2);
            }
            entropyBytes += bits / 8;
            rawOps += end;
            finalBytes += n;
            for (int[] h : split) {
                java.util.Arrays.fill(h, 0);
            }
            int q = 0;
            while (q < end) {
                int q0 = q;
                int tok = s[q++] & 0xFF;
                int kind = tok >>> 5;
                int len = (tok & 31) + 1;
                if (len == 32) {
                    int v = s[q] & 0x7F;
                    if ((s[q++] & 0x80) != 0) {
                        v |= (s[q++] & 0xFF) << 7;
                    }
                    len = 32 + v;
                }
                if (kind == PointerAwarePatchFormat.MATCH) {
                    q += (s[q] & 0x80) != 0 ? 2 : 1;
                }
                for (int j = q0; j < q; j++) {
                    split[0][s[j] & 0xFF]++;
                }
                if (kind == PointerAwarePatchFormat.LIT) {
                    for (int k = 0; k < len; k++) {
                        int h = s[q] & 0xFF;
                        split[1][h]++;
                        sameDelta += (h & 0x0F) == PointerAwarePatchFormat.LIT_SUB_BIT ? 1 : 0;
                        int nb = PointerAwarePatchFormat.LIT_BYTES[h & PointerAwarePatchFormat.LIT_BYTES_MASK];
                        for (int j = 0; j < nb; j++) {
                            split[2 + j][s[q + 1 + j] & 0xFF]++;
                        }
                        refWords[h >>> PointerAwarePatchFormat.REF_SHIFT]++;
                        refBytes[h >>> PointerAwarePatchFormat.REF_SHIFT] += 1 + nb;
                        q += 1 + nb;
                    }
                }
                kindBytes[kind] += q - q0;
                kindWords[kind] += len;
            }
            for (int[] h : split) {
                splitBytes += entropy(h) / 8;
            }
        }
        String[] kinds = {"SAME", "ZERO", "MATCH", "REP", "LIT"};
        StringBuilder sb = new StringBuilder("op stream bytes/page by kind (words/page):");
        for (int k = 0; k < 5; k++) {
            sb.append(String.format(Locale.ROOT, " %s %.0f (%.0f)", kinds[k], (double) kindBytes[k] / changed,
                    (double) kindWords[k] / changed));
        }
        System.out.println(sb + String.format(Locale.ROOT, "; LZ4 stage used on %.1f %% of pages", 100.0 * lz4Used / changed));
        System.out.printf(Locale.ROOT, "bytes/page: raw ops %.0f, final %.0f, order-0 entropy of ops %.0f, of ops split into"
                        + " 10 streams %.0f (no tables)%n",
                (double) rawOps / changed, (double) finalBytes / changed, entropyBytes / changed, splitBytes / changed);
        sb = new StringBuilder("literal words by reference, words/page (bytes/word):");
        String[] refs = {"pred", "rep", "t-1", "t-2", "t-3", "t-4", "t-5", "t-6", "t-7", "t-8", "t-12", "t-16",
                "t-24", "t-32", "lastlit", "zero"};
        for (int k = 0; k < refs.length; k++) {
            sb.append(String.format(Locale.ROOT, " %s %.1f (%.2f)", refs[k], (double) refWords[k] / changed,
                    (double) refBytes[k] / Math.max(1, refWords[k])));
        }
        System.out.println(sb + String.format(Locale.ROOT, "; same-delta words/page %.1f", (double) sameDelta / changed));
    }

    private static double entropy(int[] hist) {
        long n = 0;
        for (int h : hist) {
            n += h;
        }
        double bits = 0;
        for (int h : hist) {
            bits += h == 0 ? 0 : h * Math.log((double) n / h) / Math.log(2);
        }
        return bits;
    }

    /** Polls the process's CPU time and RSS until both stop changing for a second (deadline one minute). */
    private static void waitIdle(long pid) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        long last = -1;
        int still = 0;
        while (System.nanoTime() < deadline) {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long cpu = (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 31 + Long.parseLong(f[21]);
            still = cpu == last ? still + 1 : 0;
            last = cpu;
            if (still >= 10) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("process " + pid + " did not become idle within a minute");
    }

    /**
     * Pairs target mappings with base mappings of the same name and protection, in order; where
     * one side has an extra mapping, prefers a candidate of equal length among the next few.
     */
    static Map<Mapping, Mapping> pairMappings(List<Mapping> base, List<Mapping> target) {
        Map<String, List<Mapping>> byKey = new HashMap<>();
        for (Mapping m : base) {
            byKey.computeIfAbsent(m.name() + "|" + m.protection(), k -> new ArrayList<>()).add(m);
        }
        Map<String, Integer> next = new HashMap<>();
        Map<Mapping, Mapping> pairs = new HashMap<>();
        for (Mapping m : target) {
            String key = m.name() + "|" + m.protection();
            List<Mapping> candidates = byKey.get(key);
            int k = next.getOrDefault(key, 0);
            if (candidates == null || k >= candidates.size()) {
                continue;
            }
            int pick = k;
            for (int j = k; j < Math.min(candidates.size(), k + 4); j++) {
                if (candidates.get(j).length() == m.length()) {
                    pick = j;
                    break;
                }
            }
            pairs.put(m, candidates.get(pick));
            next.put(key, pick + 1);
        }
        return pairs;
    }

    static PointerRelocation relocation(Map<Mapping, Mapping> pairs) {
        List<Mapping> targets = new ArrayList<>(pairs.keySet());
        long[] s = new long[targets.size()];
        long[] e = new long[targets.size()];
        long[] d = new long[targets.size()];
        for (int i = 0; i < s.length; i++) {
            Mapping t = targets.get(i);
            Mapping b = pairs.get(t);
            s[i] = b.start();
            e[i] = b.end();
            d[i] = t.start() - b.start();
        }
        return PointerRelocation.of(s, e, d);
    }

    private static void report(String name, SandboxImage base, SandboxImage target, List<Mapping> baseMaps,
                               List<Mapping> targetMaps) {
        Map<Mapping, Mapping> pairs = pairMappings(baseMaps, targetMaps);
        PointerRelocation rel = relocation(pairs);
        int pages = target.pageCount();
        byte[] tAll = new byte[pages * PageSize.BYTES];
        byte[] bAll = new byte[pages * PageSize.BYTES];
        boolean[] paired = new boolean[pages];
        boolean[] zero = new boolean[pages];
        boolean[] same = new boolean[pages];
        int nPaired = 0;
        int nZero = 0;
        int nSame = 0;
        int nZeroAll = 0;
        for (int p = 0; p < pages; p++) {
            target.copyPage(p, tAll, p * PageSize.BYTES);
            zero[p] = isZero(tAll, p * PageSize.BYTES);
            nZeroAll += zero[p] ? 1 : 0;
            Mapping tm = mappingOf(targetMaps, target.pageVaddr(p));
            Mapping bm = tm == null ? null : pairs.get(tm);
            if (bm == null) {
                continue;
            }
            long off = target.pageVaddr(p) - tm.start();
            if (off >= bm.length()) {
                continue;
            }
            int bp = base.findPage(bm.start() + off);
            if (bp < 0) {
                continue;
            }
            base.copyPage(bp, bAll, p * PageSize.BYTES);
            paired[p] = true;
            nPaired++;
            same[p] = java.util.Arrays.equals(tAll, p * PageSize.BYTES, (p + 1) * PageSize.BYTES,
                    bAll, p * PageSize.BYTES, (p + 1) * PageSize.BYTES);
            nZero += zero[p] ? 1 : 0;
            nSame += same[p] && !zero[p] ? 1 : 0;
        }
        System.out.printf(Locale.ROOT, "%n== %s: base %d pages, target %d pages (%.1f MB), %d mappings, %d paired "
                        + "(%d relocation ranges)%n", name, base.pageCount(), pages, pages / 256.0, targetMaps.size(),
                pairs.size(), rel.size());
        System.out.printf(Locale.ROOT, "target pages with a base page: %d (%.1f %%); of them zero %d, identical to base %d; "
                + "zero pages overall %d%n", nPaired, 100.0 * nPaired / pages, nZero, nSame, nZeroAll);
        evaluate(tAll, bAll, paired, zero, same, rel);
        analyze(tAll, bAll, paired, zero, same, rel);
        votePairing(base, tAll, bAll, paired, zero, rel);
        dump(name, tAll, bAll, paired, rel);
    }

    /**
     * Re-pairs every target page with the base page sharing most of its distinctive 8-byte words
     * (base words relocated first), keeping the mapping-paired page on ties or too few votes, and
     * evaluates again: what content-based base selection would give the codecs.
     */
    private static void votePairing(SandboxImage base, byte[] tAll, byte[] bMapped, boolean[] paired, boolean[] zero,
                                    PointerRelocation rel) {
        int bPages = base.pageCount();
        int cap = Integer.highestOneBit(bPages * 512) << 2;
        long[] keys = new long[cap];
        int[] vals = new int[cap];
        long[] pred = new long[512];
        byte[] page = new byte[PageSize.BYTES];
        PointerAwarePatchCodec.Predictor predictor = new PointerAwarePatchCodec.Predictor();
        byte[] bRel = new byte[bPages * PageSize.BYTES];
        for (int p = 0; p < bPages; p++) {
            base.copyPage(p, bRel, p * PageSize.BYTES);
            predictor.predict(bRel, p * PageSize.BYTES, rel, pred);
            for (int j = 0; j < 512; j++) {
                long w = pred[j];
                if (distinctive(w)) {
                    int h = (int) ((w * 0x9E3779B97F4A7C15L) >>> 40) & (cap - 1);
                    while (keys[h] != 0 && keys[h] != w) {
                        h = (h + 1) & (cap - 1);
                    }
                    keys[h] = w;
                    vals[h] = p;
                }
            }
        }
        int pages = paired.length;
        byte[] bAll = new byte[pages * PageSize.BYTES];
        boolean[] paired2 = new boolean[pages];
        boolean[] same2 = new boolean[pages];
        int[] votes = new int[bPages];
        int[] touched = new int[512];
        int moved = 0;
        int added = 0;
        for (int p = 0; p < pages; p++) {
            int o = p * PageSize.BYTES;
            int nt = 0;
            for (int j = 0; j < 512; j++) {
                long w = (long) PointerAwarePatchCodec.LONGS.get(tAll, o + j * 8);
                if (!distinctive(w)) {
                    continue;
                }
                int h = (int) ((w * 0x9E3779B97F4A7C15L) >>> 40) & (cap - 1);
                while (keys[h] != 0 && keys[h] != w) {
                    h = (h + 1) & (cap - 1);
                }
                if (keys[h] == w) {
                    if (votes[vals[h]]++ == 0) {
                        touched[nt++] = vals[h];
                    }
                }
            }
            int best = -1;
            for (int k = 0; k < nt; k++) {
                if (best < 0 || votes[touched[k]] > votes[best]) {
                    best = touched[k];
                }
            }
            int bestVotes = best < 0 ? 0 : votes[best];
            for (int k = 0; k < nt; k++) {
                votes[touched[k]] = 0;
            }
            if (paired[p] && (bestVotes < 8 || java.util.Arrays.equals(tAll, o, o + PageSize.BYTES, bMapped, o,
                    o + PageSize.BYTES))) {
                System.arraycopy(bMapped, o, bAll, o, PageSize.BYTES);
                paired2[p] = true;
            } else if (bestVotes >= 8 || paired[p]) {
                System.arraycopy(bRel, best * PageSize.BYTES, bAll, o, PageSize.BYTES);
                // the base page is stored relocated here; undo nothing: evaluate with the relocation
                // would relocate twice, so re-copy the raw base page
                base.copyPage(best, page, 0);
                System.arraycopy(page, 0, bAll, o, PageSize.BYTES);
                paired2[p] = true;
                moved += paired[p] ? 1 : 0;
                added += paired[p] ? 0 : 1;
            }
            same2[p] = paired2[p] && java.util.Arrays.equals(tAll, o, o + PageSize.BYTES, bAll, o, o + PageSize.BYTES);
        }
        int n = 0;
        for (boolean b : paired2) {
            n += b ? 1 : 0;
        }
        System.out.printf(Locale.ROOT, "-- base pages chosen by word votes: %d paired (%.1f %%), %d moved to another base"
                + " page, %d newly paired%n", n, 100.0 * n / pages, moved, added);
        evaluate(tAll, bAll, paired2, zero, same2, rel);
    }

    private static boolean distinctive(long w) {
        return w != 0 && w != -1 && (w >>> 16) != 0 && (w >>> 16) != 0xFFFF_FFFF_FFFFL;
    }

    private static void evaluate(byte[] tAll, byte[] bAll, boolean[] paired, boolean[] zero, boolean[] same,
                                 PointerRelocation rel) {
        int pages = paired.length;
        int nPaired = 0;
        int nZero = 0;
        int nSame = 0;
        for (int p = 0; p < pages; p++) {
            if (paired[p]) {
                nPaired++;
                nZero += zero[p] ? 1 : 0;
                nSame += same[p] && !zero[p] ? 1 : 0;
            }
        }

        int[] lz4 = new int[pages];
        byte[] scratch = new byte[Lz4.COMPRESSOR.maxCompressedLength(PageSize.BYTES)];
        long lz4All = 0;
        long lz4Paired = 0;
        long lz4Changed = 0;
        for (int p = 0; p < pages; p++) {
            lz4[p] = Lz4.COMPRESSOR.compress(tAll, p * PageSize.BYTES, PageSize.BYTES, scratch, 0, scratch.length);
            lz4All += zero[p] ? 0 : lz4[p];
            if (paired[p]) {
                lz4Paired += lz4[p];
                lz4Changed += !zero[p] && !same[p] ? lz4[p] : 0;
            }
        }
        long rawPaired = (long) nPaired * PageSize.BYTES;
        long rawChanged = (long) (nPaired - nZero - nSame) * PageSize.BYTES;
        System.out.printf(Locale.ROOT, "%-30s %10s %10s %10s %10s %9s %9s%n", "codec", "saved:all", "changed",
                "image", "beatsLZ4", "enc MB/s", "dec MB/s");
        double[] lz4Speed = lz4Speed(tAll, pages);
        System.out.printf(Locale.ROOT, "%-30s %10.3f %10.3f %10.3f %10s %9.0f %9.0f%n", "lz4-per-page",
                1 - (double) lz4Paired / rawPaired, 1 - (double) lz4Changed / rawChanged,
                1 - (double) lz4All / ((long) pages * PageSize.BYTES), "-", lz4Speed[0], lz4Speed[1]);
        for (PatchCodec codec : SURVEYED) {
            PatchEncoder enc = codec.newEncoder();
            PatchDecoder dec = codec.newDecoder();
            byte[] out = new byte[2 * PageSize.BYTES];
            byte[] dst = new byte[PageSize.BYTES];
            long all = 0;
            long changed = 0;
            long image = 0;
            int beats = 0;
            for (int p = 0; p < pages; p++) {
                if (!paired[p]) {
                    image += zero[p] ? 0 : lz4[p];
                    continue;
                }
                int o = p * PageSize.BYTES;
                int n = enc.encode(tAll, o, bAll, o, rel, out, 0, out.length);
                try {
                    dec.decode(out, 0, n, bAll, o, rel, dst, 0);
                } catch (PatchFormatException e) {
                    throw new AssertionError(codec + " failed on page " + p, e);
                }
                if (!java.util.Arrays.equals(dst, 0, PageSize.BYTES, tAll, o, o + PageSize.BYTES)) {
                    throw new AssertionError(codec + " decoded page " + p + " wrongly");
                }
                all += n;
                if (!zero[p] && !same[p]) {
                    changed += n;
                    beats += n < lz4[p] ? 1 : 0;
                }
                image += zero[p] || same[p] ? 0 : Math.min(n, lz4[p]);
            }
            double[] speed = speed(codec, tAll, bAll, paired, zero, same, rel);
            System.out.printf(Locale.ROOT, "%-30s %10.3f %10.3f %10.3f %9.1f%% %9.0f %9.0f%n", codec.name(),
                    1 - (double) all / rawPaired, 1 - (double) changed / rawChanged,
                    1 - (double) image / ((long) pages * PageSize.BYTES),
                    100.0 * beats / Math.max(1, nPaired - nZero - nSame), speed[0], speed[1]);
        }
        System.out.println("saved:all = paired pages incl. zero/identical; changed = paired pages that are neither;"
                + " image = whole target, zero/identical pages free, paired pages min(patch, LZ4), others LZ4;"
                + " speeds over changed pages, one thread");
    }

    /** Classifies the words of changed pages: where could a codec find them? */
    private static void analyze(byte[] tAll, byte[] bAll, boolean[] paired, boolean[] zero, boolean[] same,
                                PointerRelocation rel) {
        long[] cls = new long[6];
        long[] nz = new long[9];
        long[] pred = new long[512];
        PointerAwarePatchCodec.Predictor predictor = new PointerAwarePatchCodec.Predictor();
        java.util.Set<Long> words = new java.util.HashSet<>();
        java.util.Set<Long> unaligned = new java.util.HashSet<>();
        java.util.Set<Long> raw = new java.util.HashSet<>();
        for (int p = 0; p < paired.length; p++) {
            if (!paired[p] || zero[p] || same[p]) {
                continue;
            }
            int o = p * PageSize.BYTES;
            predictor.predict(bAll, o, rel, pred);
            words.clear();
            unaligned.clear();
            raw.clear();
            for (int j = 0; j < 512; j++) {
                words.add(pred[j]);
                raw.add((long) PointerAwarePatchCodec.LONGS.get(bAll, o + j * 8));
            }
            for (int j = 0; j + 8 <= PageSize.BYTES; j++) {
                unaligned.add((long) PointerAwarePatchCodec.LONGS.get(bAll, o + j));
            }
            for (int j = 0; j < 512; j++) {
                long t = (long) PointerAwarePatchCodec.LONGS.get(tAll, o + j * 8);
                int c = t == pred[j] ? 0 : t == 0 ? 1 : words.contains(t) ? 2 : unaligned.contains(t) ? 3
                        : raw.contains(t) ? 4 : 5;
                cls[c]++;
                if (c == 5) {
                    nz[bytesNz(t ^ pred[j])]++;
                }
            }
        }
        long total = java.util.Arrays.stream(cls).sum();
        System.out.printf(Locale.ROOT, "words of changed pages: same-as-prediction %.1f %%, zero %.1f %%, elsewhere in "
                        + "relocated base %.1f %%, unaligned in base %.1f %%, only in unrelocated base %.1f %%, novel %.1f %%%n",
                100.0 * cls[0] / total, 100.0 * cls[1] / total, 100.0 * cls[2] / total, 100.0 * cls[3] / total,
                100.0 * cls[4] / total, 100.0 * cls[5] / total);
        StringBuilder sb = new StringBuilder("novel words by non-zero bytes of XOR with prediction:");
        for (int k = 0; k <= 8; k++) {
            sb.append(String.format(Locale.ROOT, " %d:%.1f%%", k, 100.0 * nz[k] / Math.max(1, cls[5])));
        }
        System.out.println(sb);
    }

    private static int bytesNz(long x) {
        int n = 0;
        for (int b = 0; b < 8; b++, x >>>= 8) {
            n += (x & 0xFF) != 0 ? 1 : 0;
        }
        return n;
    }

    /** With -Dsurvey.dump=DIR, writes the paired pages: NAME-target.bin and NAME-base.bin (relocated). */
    private static void dump(String name, byte[] tAll, byte[] bAll, boolean[] paired, PointerRelocation rel) {
        String dir = System.getProperty("survey.dump");
        if (dir == null) {
            return;
        }
        try (var t = Files.newOutputStream(Path.of(dir, name + "-target.bin"));
             var b = Files.newOutputStream(Path.of(dir, name + "-base.bin"))) {
            long[] pred = new long[512];
            byte[] page = new byte[PageSize.BYTES];
            PointerAwarePatchCodec.Predictor predictor = new PointerAwarePatchCodec.Predictor();
            for (int p = 0; p < paired.length; p++) {
                if (paired[p]) {
                    t.write(tAll, p * PageSize.BYTES, PageSize.BYTES);
                    predictor.predict(bAll, p * PageSize.BYTES, rel, pred);
                    for (int j = 0; j < 512; j++) {
                        PointerAwarePatchCodec.LONGS.set(page, j * 8, pred[j]);
                    }
                    b.write(page);
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static double[] speed(PatchCodec codec, byte[] tAll, byte[] bAll, boolean[] paired, boolean[] zero,
                                  boolean[] same, PointerRelocation rel) {
        int pages = paired.length;
        int[] idx = new int[pages];
        int n = 0;
        for (int p = 0; p < pages; p++) {
            if (paired[p] && !zero[p] && !same[p]) {
                idx[n++] = p;
            }
        }
        int stride = PointerAwarePatchFormat.MAX_OPS_BYTES + 64;
        byte[] patches = new byte[n * stride];
        int[] len = new int[n];
        PatchEncoder enc = codec.newEncoder();
        PatchDecoder dec = codec.newDecoder();
        byte[] dst = new byte[PageSize.BYTES];
        double encBest = 0;
        double decBest = 0;
        for (int round = 0; round < 8; round++) {
            long t0 = System.nanoTime();
            for (int k = 0; k < n; k++) {
                int o = idx[k] * PageSize.BYTES;
                len[k] = enc.encode(tAll, o, bAll, o, rel, patches, k * stride, stride);
            }
            long t1 = System.nanoTime();
            try {
                for (int k = 0; k < n; k++) {
                    int o = idx[k] * PageSize.BYTES;
                    dec.decode(patches, k * stride, len[k], bAll, o, rel, dst, 0);
                }
            } catch (PatchFormatException e) {
                throw new AssertionError(e);
            }
            long t2 = System.nanoTime();
            double mb = (double) n * PageSize.BYTES / 1e6;
            encBest = Math.max(encBest, mb / ((t1 - t0) / 1e9));
            decBest = Math.max(decBest, mb / ((t2 - t1) / 1e9));
        }
        return new double[] {encBest, decBest};
    }

    private static double[] lz4Speed(byte[] tAll, int pages) {
        byte[] c = new byte[pages * Lz4.COMPRESSOR.maxCompressedLength(PageSize.BYTES)];
        int[] len = new int[pages];
        int stride = Lz4.COMPRESSOR.maxCompressedLength(PageSize.BYTES);
        byte[] dst = new byte[PageSize.BYTES];
        double encBest = 0;
        double decBest = 0;
        for (int round = 0; round < 8; round++) {
            long t0 = System.nanoTime();
            for (int p = 0; p < pages; p++) {
                len[p] = Lz4.COMPRESSOR.compress(tAll, p * PageSize.BYTES, PageSize.BYTES, c, p * stride, stride);
            }
            long t1 = System.nanoTime();
            for (int p = 0; p < pages; p++) {
                Lz4.DECOMPRESSOR.decompress(c, p * stride, len[p], dst, 0, PageSize.BYTES);
            }
            long t2 = System.nanoTime();
            double mb = (double) pages * PageSize.BYTES / 1e6;
            encBest = Math.max(encBest, mb / ((t1 - t0) / 1e9));
            decBest = Math.max(decBest, mb / ((t2 - t1) / 1e9));
        }
        return new double[] {encBest, decBest};
    }

    private static Mapping mappingOf(List<Mapping> maps, long vaddr) {
        int lo = 0;
        int hi = maps.size() - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            Mapping m = maps.get(mid);
            if (Long.compareUnsigned(vaddr, m.start()) < 0) {
                hi = mid - 1;
            } else if (Long.compareUnsigned(vaddr, m.end()) >= 0) {
                lo = mid + 1;
            } else {
                return m;
            }
        }
        return null;
    }

    private static List<PatchCodec> surveyed() {
        List<PatchCodec> codecs = new ArrayList<>(PatchCodecs.all());
        for (PointerAwarePatchCodec.LiteralSearch s : PointerAwarePatchCodec.LiteralSearch.values()) {
            for (boolean lz4 : new boolean[] {true, false}) {
                PatchCodec c = new PointerAwarePatchCodec(s, lz4);
                if (codecs.stream().noneMatch(x -> x.name().equals(c.name()))) {
                    codecs.add(c);
                }
            }
        }
        codecs.add(new SplitStreamPatchCodec(false));
        return List.copyOf(codecs);
    }

    private static boolean isZero(byte[] b, int off) {
        for (int i = off; i < off + PageSize.BYTES; i += 8) {
            if ((long) PointerAwarePatchCodec.LONGS.get(b, i) != 0) {
                return false;
            }
        }
        return true;
    }
}
