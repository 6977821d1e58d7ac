package io.piste.cluster;

import io.piste.storage.rules.SourceFileSize;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** No main source file of this module is over {@value SourceFileSize#MAX_LINES} lines. */
class SourceFileSizeTest {

    @Test
    void shouldKeepEveryMainSourceFileWithinTheLineLimit() throws IOException {
        SourceFileSize.assertEveryMainSourceWithinTheLimit();
    }
}
