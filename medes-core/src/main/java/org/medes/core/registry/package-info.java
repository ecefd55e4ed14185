/**
 * The fingerprint registry: an index from sampled chunk hashes of base sandboxes to base pages.
 *
 * <p>{@link org.medes.core.registry.FingerprintRegistry} is the SPI (other backends may live in
 * other modules); {@link org.medes.core.registry.PageRef} packs a base page into a {@code long}.
 * {@link org.medes.core.registry.OffHeapFingerprintRegistry} is the embedded implementation: an
 * open-addressing table of 8-byte slots plus a side table of page references, both in native
 * memory, laid out as drawn in {@code RegistrySlot}. Resizes build a new table generation; each
 * lookup batch holds a reference to the generation it reads, and a generation's native memory is
 * freed by whoever drops the last reference, so lock-free readers never touch freed memory.
 * Answers are candidates: a slot keeps 36 bits of a hash, and the engine verifies page content.
 */
package org.medes.core.registry;
