/**
 * The CRIU executable Medes checkpoints and restores with: where it is, which version, and whether
 * it works here.
 *
 * <p>{@link org.medes.criu.tool.Criu} answers {@code isAvailable()} / {@code unavailabilityCause()}
 * once per JVM: {@link org.medes.criu.tool.CriuLocator} finds CRIU in one order (below),
 * {@link org.medes.criu.tool.CriuVersion} requires {@link org.medes.criu.tool.CriuVersion#MINIMUM}
 * (4.1: CRIU 3.x cannot restore on kernels &gt;= 6.13, where the vDSO layout changed), and
 * {@link org.medes.criu.tool.CriuBinary#check()} runs {@code criu check}. Every failure is a
 * {@link org.medes.criu.tool.CriuUnavailableException} naming each place looked at and why it was
 * rejected.
 *
 * <h2>Knobs</h2>
 * <ul>
 *   <li>{@code -Dmedes.criu=<path>} or {@code MEDES_CRIU=<path>} (the property wins): the criu
 *       executable or wrapper to use, and the only one looked at;</li>
 *   <li>{@code MEDES_CACHE} (default {@code /var/cache/medes}): where scripts/criu.sh installs
 *       Debian trixie's CRIU; its wrapper {@code $MEDES_CACHE/bin/criu} is looked at next, then
 *       {@code criu} on {@code PATH};</li>
 *   <li>{@code -Dmedes.criu.disabled=true}: CRIU is unavailable without being looked for (the
 *       integration tests then skip; otherwise they fail with the cause);</li>
 *   <li>{@code -Dmedes.criu.kdat=false}: leave CRIU's kernel-features cache alone (below).</li>
 * </ul>
 *
 * <h2>CRIU's RPC</h2>
 * {@link org.medes.criu.tool.CriuSwrk} runs {@code criu swrk 3} with its end of a SOCK_SEQPACKET
 * socketpair on fd 3 (posix_spawn through jnr-ffi, {@code LibC}: Java's ProcessBuilder closes every
 * descriptor but stdio) and exchanges one criu_req / criu_resp datagram per call
 * ({@link org.medes.criu.image.RpcMessages}).
 *
 * <h2>CRIU's image streamer</h2>
 * {@link org.medes.criu.tool.ImageStreamer} is the serving side of the protocol
 * {@code criu restore --stream} speaks (CRIU's {@code img-streamer.c}): CRIU asks for each image
 * file by name over {@code streamer-serve.sock} and passes a pipe with SCM_RIGHTS; the streamer
 * writes the file into it ({@code vmsplice}) from a directory or from a producer, so a dedup start
 * can feed CRIU its pages while they are rebuilt. {@code -Dmedes.criu.stream.noVmsplice=true}
 * copies with {@code write} instead.
 *
 * <h2>CRIU's kernel-features cache</h2>
 * Every criu run probes the kernel unless {@code /run/criu.kdat} exists (12–14 ms of a restore
 * here, most of it making a network namespace and a veth pair). CRIU writes that file only when
 * {@code /run} is a tmpfs; where it is not, {@code KdatCache} (run once per JVM by
 * {@link org.medes.criu.tool.Criu}'s probe) has CRIU write it inside a private mount namespace with
 * a tmpfs {@code /run} and copies it to {@code /run/criu.kdat}, with a stamp (boot id, kernel,
 * CRIU) that makes it be written again after a reboot, another kernel or another CRIU.
 *
 * <h2>scripts/criu.sh</h2>
 * Uses a system criu &gt;= 4.1 as it is; otherwise downloads Debian trixie's criu and its library
 * closure, glibc included, with a private apt state, unpacks them into
 * {@code $MEDES_CACHE/criu-<version>/root} and writes a wrapper that runs criu through the unpacked
 * loader ({@code ld-linux-x86-64.so.2 --library-path ...}). It runs {@code criu check} before
 * publishing the wrapper, and a second run is offline.
 */
package org.medes.criu.tool;
