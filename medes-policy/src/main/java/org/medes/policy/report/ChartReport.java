package org.medes.policy.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.medes.policy.sim.SideBySide.Comparison;
import org.medes.policy.sim.SimulationResult;

/**
 * Draws a run as PNG charts (XChart, headless): {@code memory.png} (cluster memory over time per
 * policy), {@code starts.png} (cold / dedup / warm starts per policy) and {@code latency.png}
 * (p50 / p99 / p99.9 per policy). Stateless; thread-safe.
 */
public final class ChartReport {
    private static final int WIDTH = 960;
    private static final int HEIGHT = 540;

    private ChartReport() {
    }

    /** Writes the charts into {@code dir} (created if needed) and returns their paths. */
    public static List<Path> write(Comparison c, Path dir) {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
        try {
            Files.createDirectories(dir);
            Path memory = dir.resolve("memory.png");
            Path starts = dir.resolve("starts.png");
            Path latency = dir.resolve("latency.png");
            BitmapEncoder.saveBitmap(memoryChart(c), memory.toString(), BitmapEncoder.BitmapFormat.PNG);
            BitmapEncoder.saveBitmap(startsChart(c), starts.toString(), BitmapEncoder.BitmapFormat.PNG);
            BitmapEncoder.saveBitmap(latencyChart(c), latency.toString(), BitmapEncoder.BitmapFormat.PNG);
            return List.of(memory, starts, latency);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write charts into " + dir, e);
        }
    }

    static XYChart memoryChart(Comparison c) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title("Cluster memory held by sandboxes")
                .xAxisTitle("time (min)").yAxisTitle("MB").build();
        for (SimulationResult r : c.results()) {
            List<SimulationResult.MemorySample> s = r.samples();
            if (s.isEmpty()) {
                continue;
            }
            double[] x = new double[s.size()];
            double[] y = new double[s.size()];
            for (int i = 0; i < s.size(); i++) {
                x[i] = s.get(i).timeMs() / 60_000.0;
                y[i] = s.get(i).usedMb();
            }
            chart.addSeries(r.policy(), x, y).setMarker(SeriesMarkers.NONE);
        }
        return chart;
    }

    static CategoryChart startsChart(Comparison c) {
        CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title("Starts by kind")
                .xAxisTitle("policy").yAxisTitle("requests").build();
        chart.getStyler().setStacked(true);
        List<String> names = new ArrayList<>();
        List<Number> cold = new ArrayList<>();
        List<Number> dedup = new ArrayList<>();
        List<Number> warm = new ArrayList<>();
        for (SimulationResult r : c.results()) {
            names.add(r.policy());
            cold.add(r.coldStarts());
            dedup.add(r.dedupStarts());
            warm.add(r.warmStarts());
        }
        chart.addSeries("cold", names, cold);
        chart.addSeries("dedup", names, dedup);
        chart.addSeries("warm", names, warm);
        return chart;
    }

    static CategoryChart latencyChart(Comparison c) {
        CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT)
                .title("End-to-end latency").xAxisTitle("policy").yAxisTitle("ms").build();
        List<String> names = new ArrayList<>();
        List<Number> p50 = new ArrayList<>();
        List<Number> p99 = new ArrayList<>();
        List<Number> p999 = new ArrayList<>();
        for (SimulationResult r : c.results()) {
            names.add(r.policy());
            p50.add(r.p50Ms());
            p99.add(r.p99Ms());
            p999.add(r.p999Ms());
        }
        chart.addSeries("p50", names, p50);
        chart.addSeries("p99", names, p99);
        chart.addSeries("p99.9", names, p999);
        return chart;
    }
}
