package io.piste.cluster.quorum;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.piste.broker.metadata.MetadataImage;
import io.piste.broker.metadata.MetadataRecord;
import io.piste.broker.metadata.MetadataRecordCodec;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.Uuid;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What a voter answers a broker-only node's fetch: the changes after its index, the whole image, or a long poll. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ObserverFeedTest {

    private MetadataImage image = MetadataImage.EMPTY;

    /** Applies a topic of {@code name} at {@code index}, as the state machine tells the feed. */
    private List<MetadataRecord> apply(ObserverFeed feed, long index, String name) {
        List<MetadataRecord> change = List.of(new MetadataRecord.Topic(name, Uuid.randomUuid(), 1));
        image = image.applyAll(change);
        feed.applied(index, change.size(), MetadataRecordCodec.encode(change), image);
        return change;
    }

    private static MetadataFetch.Reply fetch(ObserverFeed feed, long known, int waitMs) throws Exception {
        return MetadataFetch.parseReply(
                feed.fetch(new MetadataFetch.Request(4, known, waitMs)).get(10, TimeUnit.SECONDS));
    }

    @Test
    void shouldAnswerTheChangesAfterTheFetchedIndexOrTheWholeImageOnceTheyAreNotAllHeld() throws Exception {
        try (ObserverFeed feed = new ObserverFeed(1000)) {
            List<MetadataRecord> first = apply(feed, 1, "a");
            feed.advanced(2); // a Ratis entry of its own
            List<MetadataRecord> second = apply(feed, 3, "b");
            List<MetadataRecord> third = apply(feed, 4, "c");

            MetadataFetch.Reply all = fetch(feed, -1, 0);
            assertThat(all.wholeImage()).isFalse();
            assertThat(all.index()).isEqualTo(4);
            assertThat(all.changes()).containsExactly(first, second, third);
            assertThat(fetch(feed, 2, 0).changes()).containsExactly(second, third);
            MetadataFetch.Reply none = fetch(feed, 4, 0);
            assertThat(none.changes()).isEmpty();
            assertThat(none.index()).isEqualTo(4);
            // A voter behind the fetching node answers its own index: the node keeps the higher one.
            assertThat(fetch(feed, 9, 0).index()).isEqualTo(4);

            feed.reset(10, image); // a snapshot loaded: nothing before index 10 is held any more
            MetadataFetch.Reply whole = fetch(feed, 4, 0);
            assertThat(whole.wholeImage()).isTrue();
            assertThat(whole.index()).isEqualTo(10);
            assertThat(MetadataImage.EMPTY.applyAll(whole.changes().get(0)).records())
                    .containsExactlyInAnyOrderElementsOf(image.records());
            assertThat(fetch(feed, -2, 0).wholeImage())
                    .as("asked for the whole image")
                    .isTrue();
            assertThat(fetch(feed, 10, 0).wholeImage()).isFalse();
        }
    }

    @Test
    void shouldHoldAFetchUntilAChangeIsAppliedOrItsWaitEnds() throws Exception {
        try (ObserverFeed feed = new ObserverFeed(5_000)) {
            apply(feed, 1, "a");
            CompletableFuture<Message> held = feed.fetch(new MetadataFetch.Request(4, 1, 5_000));
            Thread.sleep(100);
            assertThat(held).isNotDone();
            List<MetadataRecord> next = apply(feed, 2, "b");
            MetadataFetch.Reply reply = MetadataFetch.parseReply(held.get(2, TimeUnit.SECONDS));
            assertThat(reply.changes()).containsExactly(next);

            long started = System.nanoTime();
            MetadataFetch.Reply empty = fetch(feed, 2, 200);
            assertThat(empty.changes()).isEmpty();
            assertThat((System.nanoTime() - started) / 1_000_000).isGreaterThanOrEqualTo(190);
        }
    }

    @Test
    void shouldCapTheWaitAndTheRecordsOfOneReply() throws Exception {
        try (ObserverFeed feed = new ObserverFeed(100)) {
            apply(feed, 1, "a");
            long started = System.nanoTime();
            fetch(feed, 1, Integer.MAX_VALUE); // a hostile wait is held only as long as the voter allows
            assertThat((System.nanoTime() - started) / 1_000_000).isLessThan(5_000);

            // Changes as big as one may be: a reply carries as many as fit its records, the rest come next.
            List<MetadataRecord> big = new ArrayList<>();
            for (int i = 0; i < MetadataRecordCodec.MAX_CHANGE_RECORDS; i++) {
                big.add(new MetadataRecord.ProducerIds(i + 1));
            }
            int perReply = ObserverFeed.MAX_REPLY_RECORDS / big.size();
            for (int i = 0; i <= perReply; i++) {
                feed.applied(2 + i, big.size(), MetadataRecordCodec.encode(big), image);
            }
            MetadataFetch.Reply first = fetch(feed, 1, 0);
            assertThat(first.changes()).hasSize(perReply);
            assertThat(first.index()).isEqualTo(2 + perReply - 1);
            MetadataFetch.Reply second = fetch(feed, first.index(), 0);
            assertThat(second.changes()).hasSize(1);
            assertThat(second.index()).isEqualTo(2 + perReply);
        }
    }

    @Test
    void shouldRefuseAReplyWhoseCountsExceedItsBytes() {
        ByteBuffer lying = ByteBuffer.allocate(8 + 1 + 4 + 4);
        lying.putLong(3).put((byte) 0).putInt(1).putInt(Integer.MAX_VALUE);
        assertThatThrownBy(() -> MetadataFetch.parseReply(Message.valueOf(ByteString.copyFrom(lying.array()))))
                .isInstanceOf(IllegalArgumentException.class);
        ByteBuffer tooMany = ByteBuffer.allocate(8 + 1 + 4);
        tooMany.putLong(3).put((byte) 0).putInt(1_000_000);
        assertThatThrownBy(() -> MetadataFetch.parseReply(Message.valueOf(ByteString.copyFrom(tooMany.array()))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(MetadataFetch.parseRequest(Message.valueOf("catch up"))).isNull();
    }

    @Test
    void shouldCountTheContactsOfRegisteredBrokersOnly() throws Exception {
        try (ObserverFeed feed = new ObserverFeed(1000)) {
            List<MetadataRecord> registration =
                    List.of(new MetadataRecord.BrokerRegistration(4, 1, Uuid.randomUuid(), "", List.of()));
            image = image.applyAll(registration);
            feed.applied(1, 1, MetadataRecordCodec.encode(registration), image);
            fetch(feed, 1, 0);
            feed.fetch(new MetadataFetch.Request(99, 1, 0)).get(5, TimeUnit.SECONDS);
            assertThat(feed.contacts()).containsOnlyKeys(4);
            assertThat(feed.contacts().get(4).appliedIndex()).isEqualTo(1);
        }
    }
}
