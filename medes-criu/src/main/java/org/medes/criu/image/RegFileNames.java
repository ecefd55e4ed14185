package org.medes.criu.image;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The paths of the regular files in {@code files.img}, by file id: what a file-backed VMA's
 * {@code shmid} refers to. CRIU numbers files in the order one dump collects them, so the same
 * library has different ids in two dumps; its path is what pairs its mappings across them.
 *
 * <p>Read from CRIU's {@code file_entry} ({@code required fd_types type = 1; required uint32 id = 2;
 * optional reg_file_entry reg = 3; ...}, type REG = 1) and {@code reg_file_entry}
 * ({@code required uint32 id = 1; ... required string name = 6; ...}); other file types and fields
 * are skipped.
 *
 * <p>Thread-safety: stateless.
 */
final class RegFileNames {
    static final String FILES = "files.img";
    private static final int FD_TYPE_REG = 1;

    private RegFileNames() {
    }

    /** One {@code file_entry}: its type, and for a regular file its id and path (-1 and null when absent). */
    record RegFile(long type, long id, String name) {
    }

    /** Decodes one {@code file_entry} message. */
    static RegFile decodeEntry(ProtoReader r) throws CriuImageFormatException {
        long type = -1;
        long id = -1;
        String name = null;
        while (r.hasMore()) {
            int tag = r.readTag();
            int n = ProtoReader.fieldNumber(tag);
            if (n == 1) {
                r.expect(tag, ProtoReader.VARINT, "type");
                type = r.readVarint();
            } else if (n == 3) {
                r.expect(tag, ProtoReader.LENGTH_DELIMITED, "reg");
                ProtoReader reg = r.readMessage();
                while (reg.hasMore()) {
                    int t = reg.readTag();
                    int m = ProtoReader.fieldNumber(t);
                    if (m == 1) {
                        reg.expect(t, ProtoReader.VARINT, "reg_file_entry.id");
                        id = Integer.toUnsignedLong(reg.readUint32());
                    } else if (m == 6) {
                        reg.expect(t, ProtoReader.LENGTH_DELIMITED, "reg_file_entry.name");
                        name = new String(reg.readBytes(), StandardCharsets.UTF_8);
                    } else {
                        reg.skipValue(t);
                    }
                }
            } else {
                r.skipValue(tag);
            }
        }
        return new RegFile(type, id, name);
    }

    /** The regular files of {@code dir}'s {@code files.img}, id to path; empty when the file is absent. */
    static Map<Long, String> read(Path dir, int imgVersion) throws IOException {
        Path path = dir.resolve(FILES);
        if (!Files.exists(path)) {
            return Map.of();
        }
        EntryFile f = EntryFile.read(path, ImageHeader.Kind.FILES, ImageHeader.Kind.FILES.hasHeadMagic(imgVersion));
        Map<Long, String> names = new HashMap<>();
        for (EntryFile.Frame frame : f.frames()) {
            RegFile e = decodeEntry(frame.reader(path));
            if (e.type() == FD_TYPE_REG) {
                if (e.id() < 0 || e.name() == null) {
                    throw new CriuImageFormatException(path, frame.messageOffset(),
                            "a regular file entry without its " + (e.id() < 0 ? "id" : "name"));
                }
                names.put(e.id(), e.name());
            }
        }
        return names;
    }
}
