package io.piste.cluster.quorum;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class QuorumVoterTest {

    @Test
    void shouldParseKafkasVotersList() {
        assertThat(QuorumVoter.parseAll("1@localhost:9093, 2@127.0.0.1:9094,3@[::1]:9095"))
                .containsExactly(
                        new QuorumVoter(1, "localhost", 9093),
                        new QuorumVoter(2, "127.0.0.1", 9094),
                        new QuorumVoter(3, "::1", 9095));
        assertThat(new QuorumVoter(3, "::1", 9095).address()).isEqualTo("[::1]:9095");
    }

    @Test
    void shouldNameTheEntryThatIsWrong() {
        assertThatThrownBy(() -> QuorumVoter.parseAll("")).hasMessageContaining("empty");
        assertThatThrownBy(() -> QuorumVoter.parseAll("1@localhost")).hasMessageContaining("'1@localhost'");
        assertThatThrownBy(() -> QuorumVoter.parseAll("localhost:9093")).hasMessageContaining("id@host:port");
        assertThatThrownBy(() -> QuorumVoter.parseAll("x@localhost:9093")).hasMessageContaining("numbers");
        assertThatThrownBy(() -> QuorumVoter.parseAll("1@localhost:70000")).hasMessageContaining("outside 1..65535");
        assertThatThrownBy(() -> QuorumVoter.parseAll("-1@localhost:9093")).hasMessageContaining("negative");
        assertThatThrownBy(() -> QuorumVoter.parseAll("1@a:9093,1@b:9093")).hasMessageContaining("voter 1 twice");
        assertThatThrownBy(() -> QuorumVoter.parseAll("1@a:9093,2@a:9093")).hasMessageContaining("a:9093 twice");
        assertThatThrownBy(() -> QuorumVoter.parseAll("1@[::1:9093")).hasMessageContaining("no valid host");
        assertThatThrownBy(() -> QuorumVoter.parseAll("1@a:9093,")).hasMessageContaining("id@host:port");
    }

    @Test
    void shouldRefuseMoreVotersThanAnyQuorumRuns() {
        String many = IntStream.range(0, QuorumVoter.MAX_VOTERS + 1)
                .mapToObj(i -> i + "@h" + i + ":9093")
                .collect(Collectors.joining(","));
        assertThatThrownBy(() -> QuorumVoter.parseAll(many)).hasMessageContaining("at most " + QuorumVoter.MAX_VOTERS);
        assertThat(QuorumVoter.parseAll(many.substring(0, many.lastIndexOf(','))))
                .hasSize(QuorumVoter.MAX_VOTERS);
    }

    @Test
    void shouldMakeANodeOutsideTheVotersABrokerOnlyNodeWithoutAQuorumListener() {
        List<QuorumVoter> voters = QuorumVoter.parseAll("1@a:9093,2@b:9093");
        assertThat(QuorumSettings.of(2, voters, java.nio.file.Path.of("x")).isVoter())
                .isTrue();
        QuorumSettings observer = QuorumSettings.of(3, voters, java.nio.file.Path.of("x"));
        assertThat(observer.isVoter()).isFalse();
        assertThat(observer.listener()).isNull();
        assertThatThrownBy(() -> new QuorumSettings(
                        3,
                        voters,
                        java.nio.file.Path.of("x"),
                        QuorumSettings.DEFAULT_ELECTION_TIMEOUT,
                        QuorumSettings.DEFAULT_REQUEST_TIMEOUT,
                        1,
                        QuorumSettings.DEFAULT_SEGMENT_BYTES,
                        new QuorumSettings.Listener("a", 9094)))
                .hasMessageContaining("node.id 3 is not among");
    }
}
