package org.medes.criu.image;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * The fields of a protobuf message that this library does not interpret, each kept verbatim (tag
 * and value bytes) so that a message is rewritten byte for byte.
 *
 * <p>Thread-safety: immutable.
 */
public final class UnknownFields {
    /** No unknown fields. */
    public static final UnknownFields NONE = new UnknownFields(List.of());

    private final List<Field> fields;

    private UnknownFields(List<Field> fields) {
        this.fields = fields;
    }

    /** One field: its number and its encoding, tag included. */
    public record Field(int number, byte[] encoded) {
        public Field {
            encoded = encoded.clone();
        }

        @Override
        public byte[] encoded() {
            return encoded.clone();
        }

        byte[] raw() {
            return encoded;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Field f && f.number == number && Arrays.equals(f.encoded, encoded);
        }

        @Override
        public int hashCode() {
            return 31 * number + Arrays.hashCode(encoded);
        }

        @Override
        public String toString() {
            return "Field[" + number + ", " + encoded.length + " bytes]";
        }
    }

    /** Fields in the order they were read. */
    public List<Field> fields() {
        return fields;
    }

    public boolean isEmpty() {
        return fields.isEmpty();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UnknownFields u && u.fields.equals(fields);
    }

    @Override
    public int hashCode() {
        return fields.hashCode();
    }

    @Override
    public String toString() {
        return "UnknownFields" + fields;
    }

    static Builder builder() {
        return new Builder();
    }

    static final class Builder {
        private List<Field> fields;

        void add(int number, byte[] encoded) {
            if (fields == null) {
                fields = new ArrayList<>();
            }
            fields.add(new Field(number, encoded));
        }

        UnknownFields build() {
            return fields == null ? NONE : new UnknownFields(Collections.unmodifiableList(fields));
        }
    }
}
