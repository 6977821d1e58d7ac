package io.piste.broker.handler;

import io.piste.broker.protocol.RequestContext;
import io.piste.broker.protocol.RequestHandler;
import java.io.IOException;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.protocol.Errors;

/**
 * InitProducerId. Without a transactional id (an idempotent producer): a producer id never handed out before (blocks
 * are reserved in the metadata log, so this holds across restarts) with epoch 0. With one: the transaction
 * coordinator's next epoch of the id, which fences older producers of it.
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
            if (request.enable2Pc() || request.keepPreparedTxn()) {
                // KIP-939's two-phase commit needs transaction.two.phase.commit.enable, which Piste does not offer
                context.respond(response.setErrorCode(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED.code()));
                return;
            }
            broker.transactionCoordinator()
                    .initProducerId(
                            request.transactionalId(),
                            request.transactionTimeoutMs(),
                            request.producerId(),
                            request.producerEpoch(),
                            result -> context.respond(response.setErrorCode(
                                            TransactionHandlers.forVersion(result.error(), context.apiVersion(), 4)
                                                    .code())
                                    .setProducerId(result.producerId())
                                    .setProducerEpoch(result.producerEpoch())));
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
