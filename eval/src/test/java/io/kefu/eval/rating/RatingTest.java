package io.kefu.eval.rating;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kefu.eval.csv.CsvTable;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RatingTest {
    @Test
    void krippendorffPublishedExample() throws Exception {
        JsonNode g;
        try (InputStream in = RatingTest.class.getResourceAsStream("/golden/metrics/rating_alpha.json")) {
            g = new ObjectMapper().readTree(in);
        }
        double[][] data = new double[g.get("data").size()][];
        for (int r = 0; r < data.length; r++) {
            JsonNode row = g.get("data").get(r);
            data[r] = new double[row.size()];
            for (int u = 0; u < row.size(); u++) {
                data[r][u] = row.get(u).isNull() ? Double.NaN : row.get(u).asDouble();
            }
        }
        double interval = Krippendorff.alpha(data, Krippendorff.Metric.INTERVAL);
        double ordinal = Krippendorff.alpha(data, Krippendorff.Metric.ORDINAL);
        assertThat(interval).isCloseTo(g.get("interval").asDouble(), within(1e-12));
        assertThat(ordinal).isCloseTo(g.get("ordinal").asDouble(), within(1e-12));
        assertThat(interval).isCloseTo(0.849, within(5e-4)); // Krippendorff (2011)
        assertThat(ordinal).isCloseTo(0.815, within(5e-4));
    }

    @Test
    void exportFillImportRoundTrip(@TempDir Path dir) throws Exception {
        List<RatingItem> items = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            Map<String, String> answers = new LinkedHashMap<>();
            answers.put("tuned", "亲，S码有货，库存" + i + "件。");
            answers.put("rules", "您好，S码有货。");
            items.add(new RatingItem("q" + i, "S码有货吗？", "商品：连衣裙A｜尺码库存：S=" + i, answers));
        }
        RatingSheet.export(items, 7, dir);
        assertThat(dir.resolve("sheet.html")).content().contains("S码有货吗？").doesNotContain("tuned");
        assertThat(dir.resolve("sheet.csv")).content().doesNotContain("tuned", "rules");
        CsvTable key = CsvTable.read(dir.resolve("key.csv"));
        Map<String, String> systemOf = new HashMap<>();
        key.rows().forEach(r -> systemOf.put(r.get("item") + r.get("label"), r.get("system")));
        // the order is shuffled: not every item has the tuned answer under label A
        assertThat(key.rows().stream().filter(r -> r.get("label").equals("A")).map(r -> r.get("system")).distinct()).hasSize(2);

        CsvTable sheet = CsvTable.read(dir.resolve("sheet.csv"));
        Random noise = new Random(1);
        List<Path> filled = new ArrayList<>();
        for (int rater = 0; rater < 2; rater++) {
            List<List<String>> rows = new ArrayList<>();
            for (CsvTable.Row row : sheet.rows()) {
                boolean tuned = systemOf.get(row.get("item") + row.get("label")).equals("tuned");
                int base = tuned ? 4 : 2;
                List<String> values = new ArrayList<>();
                for (String column : RatingSheet.SHEET_COLUMNS) {
                    values.add(RatingSheet.CRITERIA.contains(column)
                            ? String.valueOf(Math.max(1, Math.min(5, base + noise.nextInt(2)))) : row.get(column));
                }
                rows.add(values);
            }
            Path file = dir.resolve("rater" + rater + ".csv");
            Files.writeString(file, CsvTable.format(RatingSheet.SHEET_COLUMNS, rows));
            filled.add(file);
        }
        RatingResults results = RatingResults.read(filled, dir.resolve("key.csv"));
        RatingResults.Summary tuned = results.systems().get("tuned").get("correctness");
        RatingResults.Summary rules = results.systems().get("rules").get("correctness");
        assertThat(tuned.n()).isEqualTo(24);
        assertThat(tuned.mean()).isBetween(4.0, 5.0);
        assertThat(rules.mean()).isBetween(2.0, 3.0);
        assertThat(tuned.ciLow()).isLessThan(tuned.mean()).isGreaterThan(rules.ciHigh());
        // raters agree on which system is better, disagree on the +0/+1 noise: alpha well above 0, below 1
        assertThat(results.alphaInterval().get("correctness")).isBetween(0.5, 0.95);
        assertThat(results.toText()).contains("Krippendorff", "tuned", "rules");
    }

    @Test
    void badScoreIsLocated(@TempDir Path dir) throws Exception {
        RatingSheet.export(List.of(new RatingItem("q1", "在吗", "", Map.of("a", "在的", "b", "您好"))), 1, dir);
        Path filled = dir.resolve("bad.csv");
        Files.writeString(filled, "item,label,correctness,helpfulness,tone\nq1,A,5,4,4\nq1,B,7,3,3\n");
        assertThatThrownBy(() -> RatingResults.read(List.of(filled), dir.resolve("key.csv")))
                .hasMessageContaining("bad.csv:3").hasMessageContaining("correctness").hasMessageContaining("'7'");
    }
}
