package org.medes.policy.trace;

/**
 * A function as a trace names it (the Azure Functions 2019 trace's anonymised hashes, or names
 * chosen by a generator).
 *
 * @param owner    the owner (Azure: HashOwner)
 * @param app      the application; adaptive keep-alive works per application (Azure: HashApp)
 * @param function the function (Azure: HashFunction)
 * @param trigger  what triggers it: http, timer, queue, event, storage, orchestration, others
 */
public record TraceFunction(String owner, String app, String function, String trigger) {
}
