package io.piste.broker.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeferredResponsesTest {

    @Test
    void shouldSendNothingBeforeSendThenEveryAnswerInOrder() {
        List<String> sent = new ArrayList<>();
        DeferredResponses responses = new DeferredResponses();
        responses.add(sent::add, "first");
        responses.add(sent::add, "second");
        assertThat(sent).isEmpty();

        responses.send();

        assertThat(sent).containsExactly("first", "second");
    }

    @Test
    void shouldSendTheOtherAnswersWhenOneCallbackThrows() {
        List<String> sent = new ArrayList<>();
        DeferredResponses responses = new DeferredResponses();
        responses.add(
                answer -> {
                    throw new IllegalStateException("closed: " + answer);
                },
                "first");
        responses.add(sent::add, "second");

        assertThatThrownBy(responses::send)
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("closed: first");
        assertThat(sent).containsExactly("second");
    }
}
