package io.piste.broker.handler;

import io.piste.broker.protocol.RequestContext;
import io.piste.broker.protocol.RequestHandler;
import java.io.IOException;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.protocol.Errors;

/**
 * InitProducerId for idempotent producers: a producer id never handed out before (blocks are reserved in the
 * metadata log, so this holds across restarts) with epoch 0. Transactional ids need the transaction
 * coordinator, which Piste does not have yet.
 */
final class InitProducerIdHandler implements RequestHandler {

    private final BrokerContext broker;

    InitProducerIdHandler(BrokerContext broker) {
        this.broker = broker;
    }

    @Override
    public void handle(RequestContext context) {
        InitProducerIdRequestData request = context.data();
        InitProducerIdResponseData response = new InitProducerIdResponseData();
        if (request.transactionalId() != null) {
            context.respond(response.setErrorCode(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED.code()));
            return;
        }
        try {
            context.respond(
                    response.setProducerId(broker.controller().nextProducerId()).setProducerEpoch((short) 0));
        } catch (IOException e) {
            context.respond(response.setErrorCode(Errors.KAFKA_STORAGE_ERROR.code()));
        }
    }
}
