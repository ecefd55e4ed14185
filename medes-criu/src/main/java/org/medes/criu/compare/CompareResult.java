package org.medes.criu.compare;

/**
 * One engine's row of a comparison.
 *
 * @param engine      the engine's name
 * @param storedBytes bytes it stored for the target's pages
 * @param saved       {@code 1 - storedBytes / rawBytes}
 * @param dedupMbS    MB/s (10^6 bytes) of raw page data encoded, one warm run
 * @param restoreMbS  MB/s of raw page data decoded, the same warm run
 * @param verified    both round trips (warm-up and measured) rebuilt every page byte for byte
 * @param problem     why it was not verified, or null
 */
public record CompareResult(String engine, long storedBytes, double saved, double dedupMbS, double restoreMbS,
                            boolean verified, String problem) {
}
