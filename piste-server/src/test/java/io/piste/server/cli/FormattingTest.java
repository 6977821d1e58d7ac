package io.piste.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The pieces of output the client commands share: tables, JSON, sizes, progress, timestamps, KEY=VALUE. */
class FormattingTest {

    @Test
    void shouldAlignTableColumnsWithTwoSpacesAndShowNullAsDash() {
        StringWriter text = new StringWriter();
        new Table("A", "LONGER", "C")
                .row("wide-cell", 1, null)
                .row("x", 12345678, "z")
                .print(new PrintWriter(text));
        assertThat(text.toString())
                .isEqualTo("A          LONGER    C\n" + "wide-cell  1         -\n" + "x          12345678  z\n");
    }

    @Test
    void shouldWriteJsonWithEscapesInOrder() {
        Map<String, Object> object = new LinkedHashMap<>();
        object.put("s", "quote\" back\\ nl\n tab\t ctl\u0001 é");
        object.put("n", 42L);
        object.put("null", null);
        object.put("list", Arrays.asList(true, 1.5, null, List.of()));
        assertThat(Json.write(object))
                .isEqualTo("{\"s\":\"quote\\\" back\\\\ nl\\n tab\\t ctl\\u0001 é\",\"n\":42,\"null\":null,"
                        + "\"list\":[true,1.5,null,[]]}");
    }

    @Test
    void shouldShowSizesInBinaryUnits() {
        assertThat(Progress.size(0)).isEqualTo("0 B");
        assertThat(Progress.size(1023)).isEqualTo("1023 B");
        assertThat(Progress.size(1536)).isEqualTo("1.5 KiB");
        assertThat(Progress.size(5L << 30)).isEqualTo("5.0 GiB");
    }

    @Test
    void shouldRenderABarWhenTheSizeIsKnownAndARateOtherwise() {
        assertThat(Progress.render(500, 1 << 20, 4 << 20, 2_000_000_000L))
                .isEqualTo("[#######.......................]  25%  1.0 MiB / 4.0 MiB  500 records  250 records/s");
        assertThat(Progress.render(10, 2048, -1, 1_000_000_000L)).isEqualTo("2.0 KiB  10 records  10 records/s");
    }

    @Test
    void shouldReadTimestampsAsEpochMillisOrIso() throws Exception {
        assertThat(ConsumeCommand.parseTimestamp("1733400000000")).isEqualTo(1733400000000L);
        assertThat(ConsumeCommand.parseTimestamp("2024-12-05T12:00:00Z")).isEqualTo(1733400000000L);
        assertThat(ConsumeCommand.parseTimestamp("2024-12-05T13:00:00+01:00")).isEqualTo(1733400000000L);
        assertThatThrownBy(() -> ConsumeCommand.parseTimestamp("yesterday"))
                .isInstanceOf(CliException.class)
                .hasMessageStartingWith("cannot read the time 'yesterday'");
    }

    @Test
    void shouldParseKeyValuesKeepingEqualsInValues() throws Exception {
        assertThat(KeyValues.parse(List.of("a=1", "b=x=y", "c="), "--config"))
                .containsExactly(Map.entry("a", "1"), Map.entry("b", "x=y"), Map.entry("c", ""));
        assertThatThrownBy(() -> KeyValues.parse(List.of("novalue"), "--header"))
                .isInstanceOf(CliException.class)
                .hasMessage("--header expects KEY=VALUE, got 'novalue'");
    }
}
