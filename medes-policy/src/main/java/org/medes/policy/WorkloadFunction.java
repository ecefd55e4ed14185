package org.medes.policy;

import java.util.Objects;

/**
 * A function as the simulator runs it: its index in the trace, the application it belongs to
 * (adaptive keep-alive learns per application) and its profile.
 */
public record WorkloadFunction(int id, String app, FunctionProfile profile) {
    public WorkloadFunction {
        if (id < 0) {
            throw new IllegalArgumentException("function id must be >= 0, was " + id);
        }
        Objects.requireNonNull(app, "app");
        Objects.requireNonNull(profile, "profile");
    }
}
