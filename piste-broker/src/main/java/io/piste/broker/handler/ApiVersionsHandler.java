package io.piste.broker.handler;

import io.piste.broker.protocol.ApiVersionsTable;
import io.piste.broker.protocol.RequestContext;
import io.piste.broker.protocol.RequestHandler;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.ApiVersionsResponseData.FinalizedFeatureKey;
import org.apache.kafka.common.message.ApiVersionsResponseData.SupportedFeatureKey;
import org.apache.kafka.common.protocol.Errors;

/**
 * ApiVersions: the APIs and versions Piste really serves, and from v3 the features (KIP-584) clients look at:
 * {@code transaction.version}, finalized at the broker's setting, which tells kafka-clients 4 whether to use
 * transaction protocol v2 (KIP-890).
 */
final class ApiVersionsHandler implements RequestHandler {

    static final String TRANSACTION_VERSION = "transaction.version";
    /** One node's features never change while it runs: any epoch above the clients' initial -1 will do. */
    static final long FEATURES_EPOCH = 1;

    private final ApiVersionsTable table;
    private final short transactionVersion;

    ApiVersionsHandler(ApiVersionsTable table, short transactionVersion) {
        this.table = table;
        this.transactionVersion = transactionVersion;
    }

    @Override
    public void handle(RequestContext context) {
        ApiVersionsResponseData response = table.response(Errors.NONE.code());
        if (context.apiVersion() >= 3) {
            response.supportedFeatures()
                    .add(new SupportedFeatureKey()
                            .setName(TRANSACTION_VERSION)
                            .setMinVersion((short) 0)
                            .setMaxVersion((short) 2));
            response.finalizedFeatures()
                    .add(new FinalizedFeatureKey()
                            .setName(TRANSACTION_VERSION)
                            .setMinVersionLevel(transactionVersion)
                            .setMaxVersionLevel(transactionVersion));
            response.setFinalizedFeaturesEpoch(FEATURES_EPOCH);
        }
        context.respond(response);
    }
}
