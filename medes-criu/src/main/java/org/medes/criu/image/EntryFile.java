package org.medes.criu.image;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A protobuf image file split into its framed messages, bytes kept verbatim (layout in
 * {@link ImageHeader}). {@link #write(Path)} of what {@link #read} returned gives the same bytes.
 *
 * @param path      where it was read from (names errors)
 * @param kind      the file kind
 * @param headMagic whether the file starts with {@link ImageHeader#IMG_COMMON_MAGIC}
 * @param frames    the messages in file order
 */
public record EntryFile(Path path, ImageHeader.Kind kind, boolean headMagic, List<Frame> frames) {
    /** One message and the file offset of its size prefix. */
    public record Frame(long offset, byte[] message) {
        /** File offset of the first message byte. */
        public long messageOffset() {
            return offset + ImageHeader.U32_BYTES;
        }

        ProtoReader reader(Path file) {
            return new ProtoReader(message, 0, message.length, file, messageOffset());
        }
    }

    public EntryFile {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(kind, "kind");
        frames = List.copyOf(frames);
    }

    /** Reads {@code file}, checking its magics and that every entry lies inside it. */
    public static EntryFile read(Path file, ImageHeader.Kind kind, boolean headMagic) throws IOException {
        long size;
        byte[] bytes;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            size = ch.size();
            if (size > ImageHeader.MAX_ENTRY_FILE_BYTES) {
                throw new CriuImageFormatException(file, -1, "is " + size + " bytes, more than the "
                        + ImageHeader.MAX_ENTRY_FILE_BYTES + " an entry image may have");
            }
            ByteBuffer buf = ByteBuffer.allocate((int) size);
            while (buf.hasRemaining() && ch.read(buf) >= 0) {
                // read all
            }
            if (buf.hasRemaining()) {
                throw new CriuImageFormatException(file, buf.position(), "file shrank while read");
            }
            bytes = buf.array();
        }
        return parse(file, kind, headMagic, bytes);
    }

    /** Splits {@code bytes}, the contents of {@code file}, into frames. */
    public static EntryFile parse(Path file, ImageHeader.Kind kind, boolean headMagic, byte[] bytes)
            throws CriuImageFormatException {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (headMagic) {
            checkMagic(file, b, ImageHeader.IMG_COMMON_MAGIC, "head");
        }
        checkMagic(file, b, kind.magic(), kind.toString());
        List<Frame> frames = new ArrayList<>();
        while (b.hasRemaining()) {
            int at = b.position();
            if (b.remaining() < ImageHeader.U32_BYTES) {
                throw new CriuImageFormatException(file, at, "truncated entry size: " + b.remaining() + " bytes left");
            }
            long len = b.getInt() & 0xffffffffL;
            if (len > b.remaining()) {
                throw new CriuImageFormatException(file, at, "entry size " + len + " runs past the end of the file ("
                        + b.remaining() + " bytes left)");
            }
            byte[] msg = new byte[(int) len];
            b.get(msg);
            frames.add(new Frame(at, msg));
        }
        return new EntryFile(file, kind, headMagic, frames);
    }

    private static void checkMagic(Path file, ByteBuffer b, int expected, String what) throws CriuImageFormatException {
        int at = b.position();
        if (b.remaining() < ImageHeader.U32_BYTES) {
            throw new CriuImageFormatException(file, at, "truncated " + what + " magic");
        }
        int m = b.getInt();
        if (m != expected) {
            throw new CriuImageFormatException(file, at, "bad " + what + " magic " + ImageHeader.hex(m)
                    + ", expected " + ImageHeader.hex(expected));
        }
    }

    /** This file with {@code messages} as its frames (offsets recomputed). */
    public EntryFile withMessages(List<byte[]> messages) {
        List<Frame> out = new ArrayList<>(messages.size());
        long at = headerBytes();
        for (byte[] m : messages) {
            out.add(new Frame(at, m));
            at += ImageHeader.U32_BYTES + m.length;
        }
        return new EntryFile(path, kind, headMagic, out);
    }

    long headerBytes() {
        return (headMagic ? 2L : 1L) * ImageHeader.U32_BYTES;
    }

    /** The file's bytes. */
    public byte[] toBytes() {
        long total = headerBytes();
        for (Frame f : frames) {
            total += ImageHeader.U32_BYTES + f.message.length;
        }
        ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(total)).order(ByteOrder.LITTLE_ENDIAN);
        if (headMagic) {
            b.putInt(ImageHeader.IMG_COMMON_MAGIC);
        }
        b.putInt(kind.magic());
        for (Frame f : frames) {
            b.putInt(f.message.length);
            b.put(f.message);
        }
        return b.array();
    }

    /** Writes the file to {@code target} through a temporary file in the same directory, then a rename. */
    public void write(Path target) throws IOException {
        writeAtomically(target, toBytes());
    }

    static void writeAtomically(Path target, byte[] bytes) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Path tmp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
        try {
            Files.write(tmp, bytes);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
