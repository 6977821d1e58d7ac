package io.piste.broker.handler;

import io.piste.broker.protocol.RequestContext;
import io.piste.broker.protocol.RequestHandler;
import org.apache.kafka.common.message.DescribeClusterRequestData;
import org.apache.kafka.common.message.DescribeClusterResponseData;
import org.apache.kafka.common.message.DescribeClusterResponseData.DescribeClusterBroker;
import org.apache.kafka.common.protocol.Errors;

/**
 * DescribeCluster: the brokers clients may use ({@link LiveBrokers}), with this node as the controller, as
 * Metadata answers.
 */
final class DescribeClusterHandler implements RequestHandler {

    /** Endpoint type 1 asks for brokers; 2 for controllers, which a broker listener does not serve. */
    private static final byte BROKER_ENDPOINTS = 1;

    private final BrokerContext broker;

    DescribeClusterHandler(BrokerContext broker) {
        this.broker = broker;
    }

    @Override
    public void handle(RequestContext context) {
        DescribeClusterRequestData request = context.data();
        DescribeClusterResponseData response = new DescribeClusterResponseData()
                .setClusterId(broker.clusterId())
                .setControllerId(broker.nodeId());
        if (context.apiVersion() >= 1 && request.endpointType() != BROKER_ENDPOINTS) {
            response.setErrorCode(Errors.UNSUPPORTED_ENDPOINT_TYPE.code())
                    .setErrorMessage("The request was sent to an endpoint of type BROKER, but we wanted an endpoint of "
                            + "type " + request.endpointType());
        } else {
            for (LiveBrokers.Address live :
                    LiveBrokers.of(broker, broker.controller().image())) {
                response.brokers()
                        .add(new DescribeClusterBroker()
                                .setBrokerId(live.nodeId())
                                .setHost(live.host())
                                .setPort(live.port())
                                .setRack(live.rack()));
            }
        }
        context.respond(response);
    }
}
