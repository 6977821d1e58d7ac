package io.piste.broker.protocol;

/** Handles decoded requests; answers through {@link RequestContext#respond} now or later. */
@FunctionalInterface
public interface RequestHandler {
    void handle(RequestContext context);
}
