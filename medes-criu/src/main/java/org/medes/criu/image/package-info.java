/**
 * Pure-Java reading and writing of CRIU 4.x image directories: no CRIU binary needed.
 *
 * <h2>What is read</h2>
 * {@link org.medes.criu.image.CriuImageDir#open} reads and validates {@code inventory.img},
 * {@code pstree.img}, and for every process {@code mm-PID.img}, {@code pagemap-PID.img} and the size
 * of its {@code pages-N.img}, then the pagemaps of the {@code parent} chain, and works out where
 * every stored page lives ({@link org.medes.criu.image.PageRun}).
 * {@link org.medes.criu.image.CriuImageDir#toSandboxImage} builds a medes-core
 * {@code SandboxImage}: one mapping per VMA, each stored page copied once from a read-only memory
 * map of its pages file into the image's slabs. {@link org.medes.criu.image.CriuImageWriter} writes
 * image files and rewrites pages, keeping every byte that need not change.
 *
 * <h2>Format, as implemented</h2>
 * <ul>
 * <li>Protobuf image files: see {@link org.medes.criu.image.ImageHeader} for the byte layout. u32
 *     little-endian head magic IMG_COMMON_MAGIC 0x54564319 (IMG_SERVICE_MAGIC 0x55105940 for the
 *     stats and irmap-cache service files, not read here), then the type magic, then entries
 *     framed as u32 little-endian size + message. {@code inventory.img} has no head magic; nor do
 *     the other files when the inventory's img_version is 1 (CRTOOLS_IMAGES_V1; current CRIU
 *     writes 2, CRTOOLS_IMAGES_V1_1). Type magics: INVENTORY 0x58313116, PSTREE 0x50273030,
 *     PAGEMAP 0x56084025, MM 0x57492820. {@code pages-N.img} is raw (PAGES_MAGIC is
 *     RAW_IMAGE_MAGIC 0): pages back to back.</li>
 * <li>Messages (proto2; our own classes with the field numbers and types we need; unknown fields
 *     kept verbatim and written back in field-number order, so a message re-encodes byte for byte):
 *     {@code inventory_entry} ({@link org.medes.criu.image.InventoryEntry}, root ids
 *     {@link org.medes.criu.image.TaskKobjIds}), {@code pstree_entry}, {@code mm_entry} with
 *     {@code vma_entry} (fd is sint64, zigzag), {@code pagemap_head}, {@code pagemap_entry}.</li>
 * <li>Pagemap: the first entry is the head naming {@code pages-<pages_id>.img}; then entries sorted
 *     by address, not overlapping. Flags PE_PARENT 1, PE_LAZY 2, PE_PRESENT 4. As CRIU reads them:
 *     {@code in_parent} adds PE_PARENT, no flags means PE_PRESENT, no {@code nr_pages} means
 *     {@code compat_nr_pages}. Only PE_PRESENT entries advance the offset into the pages file.
 *     PE_PARENT pages are looked up by address in the same process's pagemap of the
 *     {@code parent} directory, recursively. Pages that are only PE_LAZY are in no pages file and
 *     are left out of the {@code SandboxImage}.</li>
 * <li>A pre-dump directory (a parent) needs only its pagemaps and pages files; its inventory is read
 *     when present.</li>
 * <li>VMA to mapping: prot READ/WRITE/EXEC, SHARED when MAP_SHARED; name {@code [heap]},
 *     {@code [stack]}, {@code [vdso]}, {@code [vvar]}, {@code [vsyscall]} from the VMA status bits,
 *     the file's path for file mappings (from the regular files of {@code files.img}, by the VMA's
 *     shmid: CRIU numbers files per dump, so ids differ between two dumps of one program), or
 *     {@code file:<shmid>} when {@code files.img} does not name it; {@code ""} for anonymous
 *     memory; file offset from pgoff (bytes).</li>
 * </ul>
 *
 * <h2>Checks</h2>
 * Bad input is a {@link org.medes.criu.image.CriuImageFormatException} naming the file, the byte
 * offset and the reason: bad magic; truncated entry, varint or fixed field; a length past the end
 * of the file or message; varints over 10 bytes; groups; wrong wire type for a known field;
 * missing required fields; pagemap entries unaligned, empty, overlapping, unsorted or past the end
 * of the pages file; pages outside every VMA; unsorted or overlapping VMAs; PE_PARENT pages with no
 * parent, no parent pagemap, or missing or lazy in the parent; a parent chain that loops or is
 * deeper than 32. Entry files are read whole, after checking their size (at most 1 GiB); every
 * length is checked against what is left before anything is allocated; every loop moves forward.
 *
 * <h2>Sources checked</h2>
 * Constants and field numbers were checked against checkpoint-restore/criu at v4.2-22-g2cf8f13ca:
 * {@code criu/include/magic.h} (magics), {@code images/inventory.proto}, {@code images/core.proto}
 * (task_kobj_ids_entry), {@code images/pstree.proto}, {@code images/mm.proto},
 * {@code images/vma.proto}, {@code images/pagemap.proto}, {@code criu/include/pagemap.h} (PE_*
 * flags), {@code criu/include/image.h} (VMA_* status bits, CR_PARENT_LINK), {@code criu/image.c}
 * (head magic except for the inventory; none for raw images; img_version), {@code criu/protobuf.c}
 * (u32 size framing), {@code criu/pagemap.c} (flag and nr_pages fallbacks, pages offset, parent
 * lookup), {@code criu/page-xfer.c} (which pagemap fields CRIU 4 writes), {@code criu/image-desc.c}
 * (file names). A test reads, re-encodes byte for byte and rewrites a real CRIU 4.1.1 dump when a
 * criu binary is installed.
 */
package org.medes.criu.image;
