package io.kefu.engine.djl.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.runtime.format.AtomicFiles;
import io.kefu.runtime.format.Json;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;

/** Draws {@code loss.png} (training loss per step, validation loss per epoch) from metrics.jsonl. */
final class LossChart {
    static final String FILE = "loss.png";
    private static final ObjectMapper JSON = Json.mapper();

    private LossChart() {
    }

    static Path write(MetricsLog metrics, Path directory) {
        List<Double> steps = new ArrayList<>();
        List<Double> losses = new ArrayList<>();
        List<Double> valSteps = new ArrayList<>();
        List<Double> valLosses = new ArrayList<>();
        for (String line : metrics.lines()) {
            JsonNode n;
            try {
                n = JSON.readTree(line);
            } catch (IOException e) {
                continue;
            }
            if ("step".equals(n.path("type").asText())) {
                steps.add(n.path("step").asDouble());
                losses.add(n.path("loss").asDouble());
            } else if ("epoch".equals(n.path("type").asText()) && n.path("validation_loss").isNumber()) {
                valSteps.add(n.path("step").asDouble());
                valLosses.add(n.path("validation_loss").asDouble());
            }
        }
        XYChart chart = new XYChartBuilder().width(800).height(500).title("Training loss")
                .xAxisTitle("optimiser step").yAxisTitle("loss (nats per token)").build();
        chart.getStyler().setMarkerSize(4);
        if (!steps.isEmpty()) {
            chart.addSeries("train", steps, losses).setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        }
        if (!valSteps.isEmpty()) {
            chart.addSeries("validation", valSteps, valLosses).setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        }
        Path target = directory.resolve(FILE);
        Path temp = AtomicFiles.tempSibling(target);
        try {
            // XChart appends ".png" to a name without it
            Path withSuffix = Path.of(temp + ".png");
            BitmapEncoder.saveBitmap(chart, withSuffix.toString(), BitmapEncoder.BitmapFormat.PNG);
            AtomicFiles.deleteQuietly(temp);
            AtomicFiles.moveIntoPlace(withSuffix, target);
        } catch (IOException e) {
            AtomicFiles.deleteQuietly(temp);
            throw new KefuException(ErrorCode.IO, target + ": cannot draw the loss curve: " + e.getMessage(), e);
        }
        return target;
    }
}
