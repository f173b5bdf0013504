package io.kefu.eval.standard;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.eval.standard.MetricTable;
import io.kefu.eval.standard.SystemReport;
import io.kefu.runtime.format.AtomicFiles;
import java.awt.Color;
import java.awt.Font;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;

/**
 * Bar charts of a comparison, one PNG each: the text metrics per system
 * ({@code chart-text-metrics.png}), the business rates per system ({@code chart-business.png}),
 * and per intent for each metric of {@link ComparisonReport#PER_INTENT}
 * ({@code chart-intent-<metric>.png}). Rendered headless with XChart.
 */
public final class Charts {
    private static final Color[] PALETTE = {new Color(0x4A90D9), new Color(0xE8743B), new Color(0x19A979),
        new Color(0xED4A7B), new Color(0x945ECF), new Color(0x13A4B4)};

    private Charts() {
    }

    /** @return the file names written, in order */
    static List<String> write(ComparisonReport report, Path directory) {
        System.setProperty("java.awt.headless", "true");
        List<String> files = new ArrayList<>();
        List<String> text = MetricTable.QUALITY.stream().filter(report.metricNames()::contains).toList();
        files.add(save(bars("Text metrics (0-100)", "metric", "score", text, report.systems(), (s, m) -> s.metrics().get(m)),
                directory, "chart-text-metrics.png"));
        List<String> business = MetricTable.BUSINESS.stream().filter(report.metricNames()::contains).toList();
        if (!business.isEmpty()) {
            files.add(save(bars("Business checks (share of answers)", "metric", "rate", business, report.systems(),
                    (s, m) -> s.metrics().get(m)), directory, "chart-business.png"));
        }
        for (String metric : ComparisonReport.PER_INTENT) {
            if (report.metricNames().contains(metric)) {
                files.add(save(bars(metric + " by intent", "intent", metric, report.intents(), report.systems(),
                        (s, intent) -> s.byIntent().getOrDefault(intent, Map.of()).get(metric)), directory, "chart-intent-" + metric + ".png"));
            }
        }
        return files;
    }

    private static CategoryChart bars(String title, String xTitle, String yTitle, List<String> categories, List<SystemReport> systems,
                                      java.util.function.BiFunction<SystemReport, String, Double> value) {
        int width = Math.max(900, 140 + categories.size() * (40 + 28 * systems.size()));
        CategoryChart chart = new CategoryChartBuilder().width(width).height(520).title(title).xAxisTitle(xTitle).yAxisTitle(yTitle).build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setXAxisLabelRotation(categories.size() > 6 ? 30 : 0);
        chart.getStyler().setLabelsVisible(true);
        chart.getStyler().setLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        chart.getStyler().setDecimalPattern("0.##");
        chart.getStyler().setSeriesColors(PALETTE);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        chart.getStyler().setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        for (SystemReport s : systems) {
            List<Double> ys = new ArrayList<>();
            for (String c : categories) {
                Double v = value.apply(s, c);
                ys.add(v == null || v.isNaN() ? 0.0 : v);
            }
            chart.addSeries(s.system(), categories, ys);
        }
        return chart;
    }

    private static String save(CategoryChart chart, Path directory, String name) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG);
            AtomicFiles.writeBytes(directory.resolve(name), out.toByteArray());
            return name;
        } catch (IOException e) {
            throw new KefuException(ErrorCode.IO, directory.resolve(name) + ": cannot render chart: " + e.getMessage(), e);
        }
    }
}
