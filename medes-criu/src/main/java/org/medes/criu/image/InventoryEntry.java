package org.medes.criu.image;

import java.util.Objects;

/**
 * The single entry of {@code inventory.img} (CRIU {@code inventory_entry}), the parts this library
 * reads:
 * <pre>
 *   required uint32 img_version = 1;   2 = CRTOOLS_IMAGES_V1_1 (head magic in every other file)
 *   optional bool   fdinfo_per_id = 2; optional task_kobj_ids_entry root_ids = 3;
 *   optional bool   ns_per_id = 4;     optional uint32 root_cg_set = 5;
 *   optional lsmtype lsmtype = 6;      optional uint64 dump_uptime = 8;
 *   optional uint32 pre_dump_mode = 9;
 * </pre>
 * Later fields (tcp_close 10, network_lock_method 11, plugins 12, dump_criu_run_id 13, ...) are
 * kept verbatim in {@code unknown}. Absent optional fields are null.
 */
public record InventoryEntry(int imgVersion, Boolean fdinfoPerId, TaskKobjIds rootIds, Boolean nsPerId,
                             Integer rootCgSet, Integer lsmtype, Long dumpUptime, Integer preDumpMode,
                             UnknownFields unknown) {
    /** Images without the head magic (criu/include/magic.h). */
    public static final int CRTOOLS_IMAGES_V1 = 1;
    /** Images with IMG_COMMON_MAGIC / IMG_SERVICE_MAGIC before the type magic, all CRIU since 1.x. */
    public static final int CRTOOLS_IMAGES_V1_1 = 2;

    public InventoryEntry {
        Objects.requireNonNull(unknown, "unknown");
    }

    /** The inventory of a current-format image. */
    public static InventoryEntry of(TaskKobjIds rootIds) {
        return new InventoryEntry(CRTOOLS_IMAGES_V1_1, true, rootIds, true, 1, 0, null, null, UnknownFields.NONE);
    }

    static InventoryEntry decode(ProtoReader r) throws CriuImageFormatException {
        long at = r.offset();
        Integer version = null;
        Boolean fdinfoPerId = null;
        TaskKobjIds rootIds = null;
        Boolean nsPerId = null;
        Integer rootCgSet = null;
        Integer lsm = null;
        Long uptime = null;
        Integer preDump = null;
        UnknownFields.Builder unknown = UnknownFields.builder();
        while (r.hasMore()) {
            int tag = r.readTag();
            switch (ProtoReader.fieldNumber(tag)) {
                case 1 -> {
                    r.expect(tag, ProtoReader.VARINT, "img_version");
                    version = r.readUint32();
                }
                case 2 -> {
                    r.expect(tag, ProtoReader.VARINT, "fdinfo_per_id");
                    fdinfoPerId = r.readBool();
                }
                case 3 -> {
                    r.expect(tag, ProtoReader.LENGTH_DELIMITED, "root_ids");
                    rootIds = TaskKobjIds.decode(r.readMessage());
                }
                case 4 -> {
                    r.expect(tag, ProtoReader.VARINT, "ns_per_id");
                    nsPerId = r.readBool();
                }
                case 5 -> {
                    r.expect(tag, ProtoReader.VARINT, "root_cg_set");
                    rootCgSet = r.readUint32();
                }
                case 6 -> {
                    r.expect(tag, ProtoReader.VARINT, "lsmtype");
                    lsm = r.readUint32();
                }
                case 8 -> {
                    r.expect(tag, ProtoReader.VARINT, "dump_uptime");
                    uptime = r.readVarint();
                }
                case 9 -> {
                    r.expect(tag, ProtoReader.VARINT, "pre_dump_mode");
                    preDump = r.readUint32();
                }
                default -> r.keepUnknown(tag, unknown);
            }
        }
        if (version == null) {
            throw ProtoReader.missing(r.file(), at, "inventory_entry", "img_version");
        }
        return new InventoryEntry(version, fdinfoPerId, rootIds, nsPerId, rootCgSet, lsm, uptime, preDump,
                unknown.build());
    }

    byte[] encode() {
        ProtoWriter w = new ProtoWriter(unknown);
        w.uint32(1, imgVersion);
        if (fdinfoPerId != null) {
            w.bool(2, fdinfoPerId);
        }
        if (rootIds != null) {
            w.bytes(3, rootIds.encode());
        }
        if (nsPerId != null) {
            w.bool(4, nsPerId);
        }
        if (rootCgSet != null) {
            w.uint32(5, rootCgSet);
        }
        if (lsmtype != null) {
            w.int32(6, lsmtype);
        }
        if (dumpUptime != null) {
            w.uint64(8, dumpUptime);
        }
        if (preDumpMode != null) {
            w.uint32(9, preDumpMode);
        }
        return w.finish();
    }
}
