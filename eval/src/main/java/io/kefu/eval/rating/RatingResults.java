package io.kefu.eval.rating;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.eval.csv.CsvTable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Filled rating sheets, un-blinded with the key: per system and criterion the mean score with a
 * 95% interval (mean +- 1.96 standard errors over all ratings, a normal approximation), and per
 * criterion Krippendorff's alpha across raters (units = item x label).
 *
 * @param systems system -> criterion -> summary
 * @param alphaInterval criterion -> Krippendorff's alpha, interval metric
 * @param alphaOrdinal criterion -> Krippendorff's alpha, ordinal metric
 * @param raters number of sheets read
 */
public record RatingResults(Map<String, Map<String, Summary>> systems, Map<String, Double> alphaInterval,
                            Map<String, Double> alphaOrdinal, int raters) {
    /**
     * @param mean mean score
     * @param ciLow lower end of the 95% interval
     * @param ciHigh upper end of the 95% interval
     * @param n number of ratings
     */
    public record Summary(double mean, double ciLow, double ciHigh, int n) {
    }

    /**
     * Reads filled sheets and the key.
     *
     * @throws KefuException {@link ErrorCode#INVALID_DATA} naming file:line and column for a score
     *     that is not an integer 1-5, an item/label missing from the key, or a sheet without the columns
     */
    public static RatingResults read(List<Path> sheets, Path keyFile) {
        if (sheets.isEmpty()) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "no filled sheets given");
        }
        CsvTable key = CsvTable.read(keyFile);
        key.requireColumns("item", "label", "system");
        Map<String, String> systemOf = new HashMap<>();
        Set<String> units = new LinkedHashSet<>();
        for (CsvTable.Row row : key.rows()) {
            String unit = row.get("item") + "\u0000" + row.get("label");
            systemOf.put(unit, row.get("system"));
            units.add(unit);
        }
        List<String> unitList = new ArrayList<>(units);
        Map<String, Map<String, List<Double>>> scores = new LinkedHashMap<>();
        Map<String, double[][]> matrices = new LinkedHashMap<>();
        for (String criterion : RatingSheet.CRITERIA) {
            double[][] m = new double[sheets.size()][unitList.size()];
            for (double[] row : m) {
                java.util.Arrays.fill(row, Double.NaN);
            }
            matrices.put(criterion, m);
        }
        for (int r = 0; r < sheets.size(); r++) {
            CsvTable sheet = CsvTable.read(sheets.get(r));
            sheet.requireColumns("item", "label", "correctness", "helpfulness", "tone");
            for (CsvTable.Row row : sheet.rows()) {
                String unit = row.get("item") + "\u0000" + row.get("label");
                String system = systemOf.get(unit);
                if (system == null) {
                    throw new KefuException(ErrorCode.INVALID_DATA, sheets.get(r) + ":" + row.line() + ": item '" + row.get("item")
                            + "' label '" + row.get("label") + "' is not in the key " + keyFile);
                }
                for (String criterion : RatingSheet.CRITERIA) {
                    String text = row.get(criterion).trim();
                    if (text.isEmpty()) {
                        continue;
                    }
                    int score;
                    try {
                        score = Integer.parseInt(text);
                    } catch (NumberFormatException e) {
                        score = -1;
                    }
                    if (score < 1 || score > 5) {
                        throw new KefuException(ErrorCode.INVALID_DATA, sheets.get(r) + ":" + row.line() + ": " + criterion
                                + ": '" + text + "' is not a score from 1 to 5");
                    }
                    scores.computeIfAbsent(system, k -> new LinkedHashMap<>())
                            .computeIfAbsent(criterion, k -> new ArrayList<>()).add((double) score);
                    matrices.get(criterion)[r][unitList.indexOf(unit)] = score;
                }
            }
        }
        Map<String, Map<String, Summary>> systems = new LinkedHashMap<>();
        scores.forEach((system, byCriterion) -> {
            Map<String, Summary> out = new LinkedHashMap<>();
            byCriterion.forEach((criterion, values) -> out.put(criterion, summarize(values)));
            systems.put(system, out);
        });
        Map<String, Double> interval = new LinkedHashMap<>();
        Map<String, Double> ordinal = new LinkedHashMap<>();
        matrices.forEach((criterion, m) -> {
            interval.put(criterion, Krippendorff.alpha(m, Krippendorff.Metric.INTERVAL));
            ordinal.put(criterion, Krippendorff.alpha(m, Krippendorff.Metric.ORDINAL));
        });
        return new RatingResults(systems, interval, ordinal, sheets.size());
    }

    static Summary summarize(List<Double> values) {
        int n = values.size();
        double mean = values.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
        double var = 0;
        for (double v : values) {
            var += (v - mean) * (v - mean);
        }
        double se = n > 1 ? Math.sqrt(var / (n - 1) / n) : Double.NaN;
        return new Summary(mean, mean - 1.96 * se, mean + 1.96 * se, n);
    }

    /** @return a plain-text table */
    public String toText() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-16s %-12s %6s %16s %5s%n", "SYSTEM", "CRITERION", "MEAN", "95% CI", "N"));
        systems.forEach((system, m) -> m.forEach((criterion, s) -> sb.append(String.format(Locale.ROOT,
                "%-16s %-12s %6.2f  [%5.2f, %5.2f] %5d%n", system, criterion, s.mean(), s.ciLow(), s.ciHigh(), s.n()))));
        sb.append(String.format(Locale.ROOT, "%nInter-rater agreement (Krippendorff's alpha, %d raters):%n", raters));
        alphaInterval.forEach((criterion, a) -> sb.append(String.format(Locale.ROOT, "  %-12s interval %.3f  ordinal %.3f%n",
                criterion, a, alphaOrdinal.get(criterion))));
        return sb.toString();
    }
}
