package io.piste.it.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.piste.it.support.TestDirs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code docs/grafana/piste.json} against {@code docs/monitoring.md}: the dashboard parses, imports into a stock
 * Grafana (a Prometheus data source asked for at the import, the topic and group variables), and every metric its
 * queries read is one the tables of the monitoring page document, so a renamed metric cannot leave a panel empty.
 * Reads files only (no broker); runs with the unit tests.
 */
class GrafanaDashboardTest {
    private static final Path REPO = TestDirs.target().getParent().getParent();
    private static final String DATASOURCE = "${DS_PROMETHEUS}";
    /** A name in backquotes in a table row of the monitoring page. */
    private static final Pattern DOCUMENTED = Pattern.compile("`([a-zA-Z_:][a-zA-Z0-9_:]*)`");

    private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"");
    private static final Pattern MATCHERS = Pattern.compile("\\{[^}]*}");
    private static final Pattern RANGE = Pattern.compile("\\[[^]]*]");
    private static final Pattern GROUPING =
            Pattern.compile("\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    /** An identifier that is not part of a number and not a function call. */
    private static final Pattern IDENTIFIER =
            Pattern.compile("(?<![0-9.a-zA-Z_:$])([a-zA-Z_:][a-zA-Z0-9_:]*+)(?!\\s*\\()");

    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset");
    private static final List<String> HISTOGRAM_SUFFIXES = List.of("_bucket", "_count", "_sum");
    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\(\\s*([a-zA-Z_:][a-zA-Z0-9_:]*)");

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void shouldQueryOnlyMetricsTheMonitoringPageDocuments() throws Exception {
        final JsonNode dashboard = dashboard();
        final Set<String> documented = documentedNames();

        final Set<String> queried = new TreeSet<>();
        for (final String expr : expressions(dashboard)) {
            queried.addAll(metricNames(expr));
        }

        // The extraction found the panels' metrics at all (an empty set would pass the check below).
        assertThat(queried)
                .contains(
                        "kafka_server_brokertopicmetrics_bytesin_total",
                        "piste_request_total_time_seconds_bucket",
                        "kafka_consumergroup_lag",
                        "piste_consumergroup_status",
                        "kafka_server_replicamanager_underreplicatedpartitions",
                        "piste_log_flush_seconds_bucket",
                        "jvm_memory_used_bytes");
        final List<String> undocumented = new ArrayList<>();
        for (final String name : queried) {
            if (!documented.contains(name) && !documented.contains(histogramBase(name))) {
                undocumented.add(name);
            }
        }
        assertThat(undocumented)
                .as("metrics docs/grafana/piste.json queries that no table of docs/monitoring.md lists")
                .isEmpty();
    }

    @Test
    void shouldAskForAPrometheusDataSourceAndOfferTopicAndGroupVariables() throws Exception {
        final JsonNode dashboard = dashboard();

        final JsonNode input = dashboard.path("__inputs").path(0);
        assertThat(input.path("name").asText()).isEqualTo("DS_PROMETHEUS");
        assertThat(input.path("pluginId").asText()).isEqualTo("prometheus");

        final Set<String> variables = new HashSet<>();
        for (final JsonNode variable : dashboard.path("templating").path("list")) {
            variables.add(variable.path("name").asText());
            if (variable.path("type").asText().equals("query")) {
                assertThat(variable.path("datasource").path("uid").asText()).isEqualTo(DATASOURCE);
            }
        }
        assertThat(variables).contains("DS_PROMETHEUS", "topic", "consumergroup");

        final Set<Integer> ids = new HashSet<>();
        for (final JsonNode panel : dashboard.path("panels")) {
            assertThat(ids.add(panel.path("id").asInt()))
                    .as("panel ids are unique")
                    .isTrue();
            if (panel.path("type").asText().equals("row")) {
                continue;
            }
            assertThat(panel.path("datasource").path("uid").asText())
                    .as(panel.path("title").asText())
                    .isEqualTo(DATASOURCE);
            assertThat(panel.path("targets").size())
                    .as(panel.path("title").asText())
                    .isPositive();
            for (final JsonNode target : panel.path("targets")) {
                assertThat(target.path("datasource").path("uid").asText()).isEqualTo(DATASOURCE);
            }
        }
    }

    @Test
    void shouldFindMetricNamesInPromQlAndNotLabelsOrFunctions() {
        assertThat(metricNames("histogram_quantile(0.99, sum by (request, le) (rate(a_bucket{x=~\"$x\",y!=\"\"}[1m])))"
                        + " or max(b_total{status=\"OK\"} == 1) * 2 / 1e3 or vector(0)"))
                .containsExactlyInAnyOrder("a_bucket", "b_total");
        assertThat(metricNames("label_values(c_total{topic!=\"\"}, topic)")).containsExactly("c_total");
    }

    private static JsonNode dashboard() throws Exception {
        return JSON.readTree(Files.readString(REPO.resolve("docs/grafana/piste.json")));
    }

    /** Names in backquotes in the table rows of docs/monitoring.md. */
    private static Set<String> documentedNames() throws Exception {
        final Set<String> names = new HashSet<>();
        for (final String line : Files.readAllLines(REPO.resolve("docs/monitoring.md"))) {
            if (line.startsWith("|")) {
                final Matcher m = DOCUMENTED.matcher(line);
                while (m.find()) {
                    names.add(m.group(1));
                }
            }
        }
        return names;
    }

    /** The panels' queries and the query variables' definitions. */
    private static List<String> expressions(final JsonNode dashboard) {
        final List<String> exprs = new ArrayList<>();
        for (final JsonNode panel : dashboard.path("panels")) {
            for (final JsonNode target : panel.path("targets")) {
                exprs.add(target.path("expr").asText());
            }
        }
        for (final JsonNode variable : dashboard.path("templating").path("list")) {
            if (variable.path("type").asText().equals("query")) {
                exprs.add(variable.path("definition").asText());
            }
        }
        return exprs;
    }

    static Set<String> metricNames(final String expr) {
        final Set<String> names = new TreeSet<>();
        final Matcher labelValues = LABEL_VALUES.matcher(expr);
        if (labelValues.find()) {
            names.add(labelValues.group(1));
            return names;
        }
        String rest = STRING.matcher(expr).replaceAll("\"\"");
        rest = MATCHERS.matcher(rest).replaceAll(" ");
        rest = RANGE.matcher(rest).replaceAll(" ");
        rest = GROUPING.matcher(rest).replaceAll(" ");
        rest = STRING.matcher(rest).replaceAll(" ");
        final Matcher m = IDENTIFIER.matcher(rest);
        while (m.find()) {
            if (!KEYWORDS.contains(m.group(1))) {
                names.add(m.group(1));
            }
        }
        return names;
    }

    private static String histogramBase(final String name) {
        for (final String suffix : HISTOGRAM_SUFFIXES) {
            if (name.endsWith(suffix)) {
                return name.substring(0, name.length() - suffix.length());
            }
        }
        return name;
    }
}
