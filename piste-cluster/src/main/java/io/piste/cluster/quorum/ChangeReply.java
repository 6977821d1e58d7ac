package io.piste.cluster.quorum;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.ratis.protocol.Message;

/**
 * What applying a change answered its proposer: accepted, or Kafka's error with its message. As bytes: {@code OK},
 * or the error code, a space and the message.
 */
record ChangeReply(Errors error, String message) {

    static final ChangeReply OK = new ChangeReply(Errors.NONE, "");

    static ChangeReply error(Errors error, String message) {
        return new ChangeReply(error, message == null ? "" : message);
    }

    Message toMessage() {
        String text = error == Errors.NONE ? "OK" : error.code() + " " + message;
        return Message.valueOf(text);
    }

    static ChangeReply fromMessage(Message message) {
        String text = message.getContent().toString(StandardCharsets.UTF_8);
        if (text.equals("OK")) {
            return OK;
        }
        int space = text.indexOf(' ');
        try {
            short code = Short.parseShort(space < 0 ? text : text.substring(0, space));
            return error(Errors.forCode(code), space < 0 ? "" : text.substring(space + 1));
        } catch (NumberFormatException e) {
            return error(Errors.UNKNOWN_SERVER_ERROR, "unreadable reply from the metadata quorum: " + text);
        }
    }

    /** Throws the reply's Kafka error, if it has one. */
    void throwIfError() {
        if (error != Errors.NONE) {
            ApiException exception = error.exception(message.isEmpty() ? null : message);
            throw exception;
        }
    }
}
