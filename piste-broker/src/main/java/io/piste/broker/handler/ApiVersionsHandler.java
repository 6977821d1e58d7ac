package io.piste.broker.handler;

import io.piste.broker.protocol.ApiVersionsTable;
import io.piste.broker.protocol.RequestContext;
import io.piste.broker.protocol.RequestHandler;
import org.apache.kafka.common.protocol.Errors;

/** ApiVersions: the APIs and versions Piste really serves. */
final class ApiVersionsHandler implements RequestHandler {

    private final ApiVersionsTable table;

    ApiVersionsHandler(ApiVersionsTable table) {
        this.table = table;
    }

    @Override
    public void handle(RequestContext context) {
        context.respond(table.response(Errors.NONE.code()));
    }
}
