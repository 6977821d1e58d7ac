package io.piste.storage.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** When syncfs may be trusted (Linux 5.8 on), and the real call on a temp dir where it is usable. */
class SyncfsTest {

    @TempDir
    Path dir;

    @Test
    void shouldTrustSyncfsOnlyOnLinuxFrom58() {
        assertThat(Syncfs.kernelReason("Linux", "5.8.0")).isNull();
        assertThat(Syncfs.kernelReason("Linux", "6.18.44-fc-v1272")).isNull();
        assertThat(Syncfs.kernelReason("Linux", "5.15.0-91-generic")).isNull();
        assertThat(Syncfs.kernelReason("Linux", "5.7.19")).contains("older than 5.8");
        assertThat(Syncfs.kernelReason("Linux", "4.19.0")).contains("older than 5.8");
        assertThat(Syncfs.kernelReason("Linux", "weird")).contains("unparsable");
        assertThat(Syncfs.kernelReason("Mac OS X", "14.1")).contains("not Linux");
        assertThat(Syncfs.kernelReason("Windows 11", "10.0")).contains("not Linux");
    }

    @Test
    void shouldSyncThroughOneDescriptorUntilClosed() throws IOException {
        assumeTrue(Syncfs.unavailableReason() == null, "syncfs not usable here: " + Syncfs.unavailableReason());
        Files.writeString(dir.resolve("a.log"), "data");
        Syncfs sync = Syncfs.open(dir);
        sync.sync();
        sync.sync();
        sync.close();

        assertThatThrownBy(sync::sync).isInstanceOf(IOException.class).hasMessageContaining("closed");
        assertThatThrownBy(() -> Syncfs.open(dir.resolve("missing")))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("errno=2");
    }
}
