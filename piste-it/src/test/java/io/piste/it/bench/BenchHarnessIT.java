package io.piste.it.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.piste.it.support.BrokerExtension;
import io.piste.it.support.Exec;
import io.piste.it.support.TestDirs;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Smoke test of the benchmark harness ({@code bench/compare}, {@code docs/benchmarks.md}), so that it cannot rot:
 * the script runs its {@code --tiny} cells against a Piste broker this test starts, with the tools compiled from
 * {@code bench/kafka/src} into this module's test classes (no Kafka broker, nothing downloaded). It checks that
 * the figures parse to sane numbers, not how fast anything is. The broker runs in this JVM, so the broker CPU
 * figures the script reads from {@code /proc/<pid>/stat} also count this JVM's other threads (JUnit, the readers
 * of the script's output), which are idle while the cells run.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BenchHarnessIT {
    private static final Path REPO = TestDirs.target().getParent().getParent();

    @RegisterExtension
    static final BrokerExtension BROKER = BrokerExtension.defaults();

    @Test
    void shouldRunTinyCellsOfTheHarnessAgainstPiste() throws Exception {
        final Path work = TestDirs.create("bench-harness");
        final Path out = work.resolve("results");

        final Exec.Result result = Exec.run(
                List.of(
                        "env",
                        "WORK=" + work,
                        "bash",
                        REPO.resolve("bench/compare").toString(),
                        "--tiny",
                        "--systems",
                        "piste-durable",
                        "--bootstrap",
                        BROKER.bootstrapServers(),
                        "--broker-pid",
                        String.valueOf(ProcessHandle.current().pid()),
                        "--tools-cp",
                        System.getProperty("java.class.path"),
                        "--out",
                        out.toString(),
                        "--only",
                        "produce,consume,omb"),
                "",
                Duration.ofSeconds(100));

        assertThat(result.exitCode()).as(result.toString()).isZero();
        final Map<String, String> values = rawValues(out.resolve("raw.tsv"));
        assertThat(number(values, "produce-p6-acks=all-linger=5-none mb_per_sec"))
                .isPositive();
        assertThat(number(values, "consume-p6-linger=5-none fetch_mb_per_sec")).isPositive();
        // The broker's CPU over each cell's tool run: 2 MB and a tool JVM's run of seconds take tens of 10 ms ticks.
        assertThat(number(values, "produce-p6-acks=all-linger=5-none broker_cpu_s_per_gb"))
                .isPositive();
        assertThat(number(values, "consume-p6-linger=5-none broker_cpu_s_per_gb"))
                .isPositive();
        assertThat(number(values, "omb-100p-4x4-500rps rate_achieved")).isBetween(400.0, 600.0);
        assertThat(number(values, "omb-100p-4x4-500rps e2e_p99_ms"))
                .isPositive()
                .isLessThan(60_000.0);
        assertThat(Files.readString(out.resolve("table.md")))
                .contains("| produce-p6-acks=all-linger=5-none | mb_per_sec ↑ |")
                .contains("| produce-p6-acks=all-linger=5-none | broker_cpu_s_per_gb ↓ |")
                .contains("| consume-p6-linger=5-none | broker_cpu_s_per_gb ↓ |")
                .contains("No failures.");
        final BufferedImage chart = ImageIO.read(out.resolve("chart.png").toFile());
        assertThat(chart.getWidth()).isGreaterThan(100);
    }

    @Test
    void shouldMeasureRebalanceOrReportConsumerProtocolUnsupported() {
        for (final String protocol : List.of("classic", "consumer")) {
            final Exec.Result result = Exec.java(
                    "io.piste.bench.compare.RebalanceTime",
                    List.of(
                            "--bootstrap",
                            BROKER.bootstrapServers(),
                            "--topic",
                            "smoke-rebalance-" + protocol,
                            "--protocol",
                            protocol,
                            "--partitions",
                            "6",
                            "--members",
                            "3",
                            "--rate",
                            "120",
                            "--quiet-ms",
                            "500",
                            "--settle-ms",
                            "500",
                            "--timeout-ms",
                            "30000"),
                    "",
                    Duration.ofSeconds(50));

            final String line = result.stdoutLines().stream()
                    .filter(l -> l.startsWith("result="))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no result line: " + result));
            if (line.startsWith("result=unsupported")) {
                // A broker without KIP-848 (Piste before it landed) refuses the protocol; the harness reports the
                // cell as unsupported instead of failing the run.
                assertThat(protocol).as(line).isEqualTo("consumer");
                continue;
            }
            assertThat(line).as(result.toString()).startsWith("result=ok");
            assertThat(Double.parseDouble(value(line, "stable_after_leave_ms"))).isPositive();
            assertThat(Double.parseDouble(value(line, "stable_after_settled_leave_ms")))
                    .isPositive();
        }
    }

    @Test
    void shouldProbeFirstMetadataAnswer() {
        final Exec.Result result = Exec.java(
                        "io.piste.bench.compare.FirstMetadata",
                        List.of(String.valueOf(BROKER.broker().port()), "10000"),
                        "",
                        Duration.ofSeconds(30))
                .assertSuccess();

        assertThat(result.stdout()).containsPattern("first_metadata_epoch_ms=\\d+ brokers=1 ");
    }

    /** "cell metric" -> value of the raw lines (header: pair system cell metric value). */
    private static Map<String, String> rawValues(final Path rawTsv) throws Exception {
        final Map<String, String> values = new HashMap<>();
        for (final String line : Files.readAllLines(rawTsv)) {
            final String[] f = line.split("\t");
            if (f.length == 5 && !f[0].equals("pair")) {
                values.put(f[2] + " " + f[3], f[4]);
            }
        }
        return values;
    }

    private static double number(final Map<String, String> values, final String key) {
        assertThat(values).containsKey(key);
        return Double.parseDouble(values.get(key));
    }

    private static String value(final String line, final String key) {
        for (final String part : line.split(" ")) {
            if (part.startsWith(key + "=")) {
                return part.substring(key.length() + 1);
            }
        }
        throw new AssertionError("no " + key + " in " + line);
    }
}
