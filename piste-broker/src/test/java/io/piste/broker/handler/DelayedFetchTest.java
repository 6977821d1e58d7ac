package io.piste.broker.handler;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import io.piste.broker.fetchsession.FetchContext;
import io.piste.broker.fetchsession.PartitionFetch;
import io.piste.broker.partition.FetchIsolation;
import io.piste.broker.protocol.RequestContext;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.RequestHeader;
import org.junit.jupiter.api.Test;

/** A parked fetch gives its purgatory place back and leaves no timer, whatever happens to it. */
class DelayedFetchTest {

    private static final short VERSION = 12;
    private static final int MAX_WAIT_MS = 500;

    private final EmbeddedChannel loop = new EmbeddedChannel();
    private final FetchPurgatory purgatory = new FetchPurgatory(1);
    private final List<ApiMessage> answers = new ArrayList<>();

    /** A slot on a connection that closed before the fetch parked, or that stays open. */
    private RequestContext context(boolean connectionClosed) {
        RequestContext.ResponseSlot slot = new RequestContext.ResponseSlot() {
            @Override
            public void complete(ApiMessage response) {
                answers.add(response);
            }

            @Override
            public void onConnectionClosed(Runnable cancel) {
                if (connectionClosed) {
                    cancel.run();
                }
            }
        };
        return new RequestContext(new RequestHeader(ApiKeys.FETCH, VERSION, "c", 1),
            new FetchRequest(new FetchRequestData(), VERSION), new InetSocketAddress("127.0.0.1", 5555),
            loop.eventLoop(), slot);
    }

    private DelayedFetch park(RequestContext context, FetchContext session) {
        assertThat(purgatory.tryPark()).isTrue();
        return new DelayedFetch(context, purgatory, session, new FetchReader(List.of(), 1024, FetchIsolation.HIGH_WATERMARK), List.of(), 1,
            MAX_WAIT_MS);
    }

    private static FetchContext session(RuntimeException failure) {
        return new FetchContext() {
            @Override
            public List<PartitionFetch> partitions() {
                return List.of();
            }

            @Override
            public FetchResponseData updateAndGenerateResponse(FetchResponseData read) {
                if (failure != null) {
                    throw failure;
                }
                return read;
            }
        };
    }

    @Test
    void shouldNotParkWhenTheConnectionClosedBeforeTheStart() {
        loop.freezeTime();
        park(context(true), session(null)).start();

        assertThat(purgatory.parkedCount()).isZero();
        assertThat(loop.runScheduledPendingTasks()).as("no timer scheduled").isEqualTo(-1);
        assertThat(answers).isEmpty();
    }

    @Test
    void shouldAnswerWithAnErrorAndLeaveWhenTheAnswerFails() {
        loop.freezeTime();
        park(context(false), session(new IllegalStateException("session broken"))).start();
        assertThat(purgatory.parkedCount()).isEqualTo(1);

        loop.advanceTimeBy(MAX_WAIT_MS, TimeUnit.MILLISECONDS);
        loop.runScheduledPendingTasks();

        assertThat(purgatory.parkedCount()).isZero();
        assertThat(answers).hasSize(1);
        assertThat(Errors.forCode(((FetchResponseData) answers.get(0)).errorCode()))
            .isEqualTo(Errors.UNKNOWN_SERVER_ERROR);
    }

    @Test
    void shouldAnswerWhatThereIsAtTheTimeout() {
        loop.freezeTime();
        park(context(false), session(null)).start();
        loop.advanceTimeBy(MAX_WAIT_MS - 1, TimeUnit.MILLISECONDS);
        loop.runScheduledPendingTasks();
        assertThat(answers).isEmpty();

        loop.advanceTimeBy(1, TimeUnit.MILLISECONDS);
        loop.runScheduledPendingTasks();

        assertThat(answers).hasSize(1);
        assertThat(purgatory.parkedCount()).isZero();
    }
}
