package io.piste.broker.metrics;

/** Every meter of one broker, created with it: what the hot paths count, in one place. Thread-safe. */
public final class BrokerMetrics {

    private final BrokerTopicMetrics topics = new BrokerTopicMetrics();
    private final RequestMetrics requests = new RequestMetrics();
    private final FlushMetrics flush = new FlushMetrics();

    public BrokerTopicMetrics topics() {
        return topics;
    }

    public RequestMetrics requests() {
        return requests;
    }

    public FlushMetrics flush() {
        return flush;
    }
}
