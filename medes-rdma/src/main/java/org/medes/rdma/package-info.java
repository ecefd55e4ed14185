/**
 * Page servers and page fetchers: how a dedup start reads base pages that live on this node or
 * on another one. Depends on medes-core only.
 *
 * <h2>Model</h2>
 * A node exports the pages of its base sandboxes as <em>regions</em> ({@link org.medes.rdma.PageRegions},
 * the {@link org.medes.rdma.PageServer} every transport serves from): each region has an id, a
 * page count and a random 64-bit access key ({@link org.medes.rdma.PageRegion}); region 0 is a
 * one-page probe region with key 0 for self-tests. A region is unregistered when its base retires,
 * and {@link org.medes.rdma.PageServer#unregisterBase} refuses while core's
 * {@link org.medes.core.base.BaseSandboxes} still has dedup images holding the base.
 * Unregistering waits for reads in progress, so the base image may be freed on return.
 *
 * <p>A {@link org.medes.rdma.PageFetcher} reads a {@link org.medes.rdma.PageBatch} — an ordered list
 * of (region, key, page) — into caller-owned off-heap memory, page i at {@code destination + i*4096},
 * asynchronously and under one deadline for the whole batch. The future completes normally only
 * when every page arrived; any refusal (unknown region, page out of range, wrong key), a lost or
 * refused connection, a passed deadline or a closed fetcher completes it with a
 * {@link org.medes.rdma.PageFetchException} that names its reason, the region and the pages.
 * After completion nothing more is written into that destination.
 *
 * <h2>Transports (Netty model)</h2>
 * Each fetcher reports {@code isAvailable()} / {@code unavailabilityCause()} and has a kill
 * switch; {@link org.medes.rdma.PageFetchers#fastest} (lz4-java model) tries them fastest first
 * and hands out the first that passes a self-test (reading the probe page byte for byte).
 * <table>
 * <caption>fetchers</caption>
 * <tr><th>fetcher</th><th>kill switch</th><th>how</th></tr>
 * <tr><td>{@link org.medes.rdma.LocalPageFetcher}</td><td>{@code medes.rdma.local.disabled}</td>
 *     <td>regions in the same JVM: one copy into the caller's buffer</td></tr>
 * <tr><td>{@link org.medes.rdma.TcpPageFetcher}</td><td>{@code medes.rdma.tcp.disabled}</td>
 *     <td>Netty (native epoll when it loads, else NIO; {@code medes.rdma.tcp.epoll.disabled} forces
 *     NIO) to a {@link org.medes.rdma.TcpPageServer}; wire format in {@code TcpProtocol}</td></tr>
 * <tr><td>{@link org.medes.rdma.disni.DisniPageFetcher}</td><td>{@code medes.rdma.disni.disabled}</td>
 *     <td>one-sided RDMA READs (DiSNI) from a {@link org.medes.rdma.disni.DisniPageServer}; keys over
 *     the authenticated key channel ({@code disni.KeyProtocol}); needs an RDMA device and libdisni</td></tr>
 * <tr><td>{@link org.medes.rdma.UcxPageFetcher}</td><td>{@code medes.rdma.ucx.disabled}</td>
 *     <td>one-sided {@code ucp_get_nbx} from a {@link org.medes.rdma.UcxPageServer} (libucp.so.0
 *     through jnr-ffi, package {@code org.medes.rdma.ucx}); side channel in {@code UcxProtocol};
 *     design and security notes in medes-rdma/README.md</td></tr>
 * </table>
 * {@link org.medes.rdma.FetchingBasePageSource} adapts any fetcher to core's base page source, so
 * a restore reads remote bases in prefetched batches.
 *
 * <h2>TCP</h2>
 * The server sends a random nonce; the client answers HMAC-SHA256(shared secret, nonce); a wrong
 * answer closes the connection. Every read is then checked against its region's key and range,
 * and a request (at most 256 pages) is validated as a whole before any page is sent. The client
 * splits a batch into such requests and pipelines them, at most 16 outstanding per connection
 * (the rest wait in order); responses are copied straight from the socket buffer into the
 * caller's memory. The server stops reading from a connection whose write buffer passes 4 MiB
 * and parks what it has read until the client drains (backpressure), so a connection costs at
 * most about 4 MiB + 1 MiB of responses on the server and one 1 MiB frame on the client. A lost
 * connection fails every batch on it; the next fetch connects again.
 */
package org.medes.rdma;
