package io.piste.broker.protocol;

import java.util.EnumSet;
import java.util.Set;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersionCollection;
import org.apache.kafka.common.protocol.ApiKeys;

/**
 * The APIs Piste implements, at every version the kafka-clients codec reads and writes.
 *
 * <p>Only what a handler really serves is listed, so clients never negotiate an API Piste cannot answer.
 * The version range is the codec's: the handlers cover the differences between versions.
 */
public final class ApiVersionsTable {

    private final Set<ApiKeys> supported;

    public ApiVersionsTable(Set<ApiKeys> supported) {
        this.supported = EnumSet.copyOf(supported);
    }

    public boolean isSupported(ApiKeys key, short version) {
        return supported.contains(key) && version >= key.oldestVersion() && version <= latestStable(key);
    }

    public boolean isSupported(ApiKeys key) {
        return supported.contains(key);
    }

    /** Kafka advertises versions still marked unstable only with unstable.api.versions.enable; Piste never. */
    private static short latestStable(ApiKeys key) {
        return key.latestVersion(false);
    }

    public ApiVersionCollection versions() {
        ApiVersionCollection versions = new ApiVersionCollection();
        for (ApiKeys key : supported) {
            versions.add(new ApiVersion()
                    .setApiKey(key.id)
                    .setMinVersion(key.oldestVersion())
                    .setMaxVersion(latestStable(key)));
        }
        return versions;
    }

    public ApiVersionsResponseData response(short errorCode) {
        return new ApiVersionsResponseData().setErrorCode(errorCode).setApiKeys(versions());
    }
}
