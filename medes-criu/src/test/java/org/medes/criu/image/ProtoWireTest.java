package org.medes.criu.image;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ProtoWireTest {
    private static final Path F = Path.of("test.img");

    static ProtoReader reader(byte[] b) {
        return new ProtoReader(b, 0, b.length, F, 100);
    }

    static byte[] bytes(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = (byte) v[i];
        }
        return b;
    }

    @Test
    void varintLimits() throws CriuImageFormatException {
        assertThat(reader(bytes(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01)).readVarint()).isEqualTo(-1L);
        assertThatThrownBy(() -> reader(bytes(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02)).readVarint())
                .hasMessage("test.img at offset 100: varint overflows 64 bits");
        assertThatThrownBy(() -> reader(bytes(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x81, 0x00)).readVarint())
                .isInstanceOf(CriuImageFormatException.class);
        assertThatThrownBy(() -> reader(bytes(0x80, 0x80)).readVarint()).hasMessageContaining("truncated varint");
        assertThatThrownBy(() -> reader(bytes(0x01, 0x02)).readFixed64()).hasMessageContaining("truncated fixed64");
    }

    @Test
    void lengthsPastTheEndAndBadTags() {
        // field 1, length 5, two bytes left
        assertThatThrownBy(() -> {
            ProtoReader r = reader(bytes(0x0a, 0x05, 0x01, 0x02));
            r.readTag();
            r.readMessage();
        }).hasMessage("test.img at offset 101: length 5 runs past the end of the message (2 bytes left)");
        // a length of 2^64-1 does not allocate
        assertThatThrownBy(() -> {
            ProtoReader r = reader(bytes(0x0a, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01));
            r.readTag();
            r.readBytes();
        }).hasMessageContaining("length 18446744073709551615 runs past the end");
        assertThatThrownBy(() -> reader(bytes(0x00)).readTag()).hasMessageContaining("bad field number 0");
        assertThatThrownBy(() -> reader(bytes(0x0b)).readTag()).hasMessageContaining("unsupported wire type 3");
        assertThatThrownBy(() -> reader(bytes(0x0e)).readTag()).hasMessageContaining("unsupported wire type 6");
    }

    @Test
    void unknownFieldsKeepTheirPlace() throws CriuImageFormatException {
        ProtoWriter w = new ProtoWriter();
        w.uint32(1, 7);
        w.uint32(2, 3);
        w.bytes(3, new byte[] {9, 9});          // unknown to pagemap_head
        w.uint64(200, 1L << 40);                // unknown, far away
        byte[] msg = w.finish();
        PagemapHead h = PagemapHead.decode(reader(msg));
        assertThat(h.pagesId()).isEqualTo(7);
        assertThat(h.unknown().fields()).extracting(UnknownFields.Field::number).containsExactly(2, 3, 200);
        assertThat(h.encode()).isEqualTo(msg);
    }

    @Test
    void packedAndUnpackedThreads() throws CriuImageFormatException {
        ProtoWriter w = new ProtoWriter();
        for (int f = 1; f <= 4; f++) {
            w.uint32(f, f);
        }
        w.bytes(5, bytes(0x05, 0x96, 0x01));   // packed [5, 150]
        w.uint32(5, 7);
        PstreeEntry e = PstreeEntry.decode(reader(w.finish()));
        assertThat(e.threads()).containsExactly(5, 150, 7);
    }

    @Test
    void vmaFdIsZigzag() throws CriuImageFormatException {
        VmaEntry v = VmaEntry.anonymous(0x1000, 0x3000);
        byte[] b = v.encode();
        // field 8, sint64 -1 encodes as 0x01
        assertThat(b).containsSequence(bytes(0x40, 0x01));
        assertThat(VmaEntry.decode(reader(b))).isEqualTo(v);
    }

    // ---- properties: decode(encode(x)) == x and encode(decode(encode(x))) == encode(x) ----

    @Property
    void pagemapEntries(@ForAll("pagemapEntry") PagemapEntry e) throws CriuImageFormatException {
        byte[] b = e.encode();
        PagemapEntry back = PagemapEntry.decode(reader(b));
        assertThat(back).isEqualTo(e);
        assertThat(back.encode()).isEqualTo(b);
    }

    @Property
    void vmaEntries(@ForAll("vma") VmaEntry v) throws CriuImageFormatException {
        byte[] b = v.encode();
        assertThat(VmaEntry.decode(reader(b))).isEqualTo(v);
    }

    @Property
    void mmEntries(@ForAll("vmas") List<VmaEntry> vmas, @ForAll long word) throws CriuImageFormatException {
        MmEntry mm = new MmEntry(java.util.Collections.nCopies(11, word), (int) word, vmas, UnknownFields.NONE);
        byte[] b = mm.encode();
        MmEntry back = MmEntry.decode(reader(b));
        assertThat(back).isEqualTo(mm);
        assertThat(back.encode()).isEqualTo(b);
    }

    @Property
    void pstreeAndInventory(@ForAll int pid, @ForAll int ppid, @ForAll List<Integer> threads, @ForAll Long uptime,
                            @ForAll Integer lsm) throws CriuImageFormatException {
        PstreeEntry p = new PstreeEntry(pid, ppid, pid ^ 1, pid ^ 2, threads, UnknownFields.NONE);
        assertThat(PstreeEntry.decode(reader(p.encode()))).isEqualTo(p);
        InventoryEntry inv = new InventoryEntry(2, null, new TaskKobjIds(pid, ppid, 3, 4, UnknownFields.NONE), false,
                null, lsm, uptime, 4, UnknownFields.NONE);
        byte[] b = inv.encode();
        assertThat(InventoryEntry.decode(reader(b))).isEqualTo(inv);
        assertThat(InventoryEntry.decode(reader(b)).encode()).isEqualTo(b);
    }

    @Provide
    Arbitrary<PagemapEntry> pagemapEntry() {
        return Combinators.combine(Arbitraries.longs(), Arbitraries.integers(), Arbitraries.of(true, false).injectNull(0.5),
                        Arbitraries.integers().injectNull(0.3), Arbitraries.longs().injectNull(0.3))
                .as((v, c, ip, f, n) -> new PagemapEntry(v, c, ip, f, n, UnknownFields.NONE));
    }

    @Provide
    Arbitrary<List<VmaEntry>> vmas() {
        return vma().list().ofMaxSize(8);
    }

    @Provide
    Arbitrary<VmaEntry> vma() {
        return Combinators.combine(Arbitraries.longs(), Arbitraries.longs(), Arbitraries.integers(), Arbitraries.integers(),
                        Arbitraries.longs(), Arbitraries.longs().injectNull(0.5), Arbitraries.integers().injectNull(0.5))
                .as((s, e, prot, status, fd, madv, fdflags) ->
                        new VmaEntry(s, e, s ^ e, e, prot, status >>> 3, status, fd, madv, fdflags, UnknownFields.NONE));
    }
}
