package org.medes.core.patch;
import org.medes.jmh.PageCorpus;
import java.io.*;
import java.nio.*;
import java.nio.file.*;
/** Writes PageCorpus.PAGES page pairs of one corpus function, their base marks, the relocation and the Java encoder's patches, for dec.c and enc.c. */
public class Dump {
  public static void main(String[] a) throws Exception {
    PageCorpus c = PageCorpus.open(a[0]);
    PointerRelocation r = c.relocation;
    PatchEncoder enc = new PointerAwarePatchCodec().forBlockCompression().newEncoder();
    try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(Path.of(a[1]))))) {
      ByteBuffer bb = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
      int nz = 0; for (int i = 0; i < r.size(); i++) if (r.delta(i) != 0) nz++;
      bb.putInt(nz);
      for (int i = 0; i < r.size(); i++) if (r.delta(i) != 0) { bb.putLong(r.start(i)).putLong(r.end(i)).putLong(r.delta(i)); }
      bb.putInt(PageCorpus.PAGES);
      out.write(bb.array(), 0, bb.position());
      byte[] patch = new byte[8192]; long total = 0;
      for (int p = 0; p < PageCorpus.PAGES; p++) {
        int len = enc.encode(c.targetPages[p], 0, c.basePages[p], 0, r, c.marks.words(), c.basePageIndex[p] * 8, patch, 0, patch.length);
        bb.clear();
        bb.put(c.basePages[p]);
        for (int k = 0; k < 8; k++) bb.putLong(c.marks.words()[c.basePageIndex[p] * 8 + k]);
        bb.put(c.targetPages[p]);
        bb.putInt(len);
        bb.put(patch, 0, len);
        out.write(bb.array(), 0, bb.position());
        total += len;
      }
      System.out.printf("%d pages, %d ranges, mean patch %d B%n", PageCorpus.PAGES, nz, total / PageCorpus.PAGES);
    }
    c.close();
  }
}
