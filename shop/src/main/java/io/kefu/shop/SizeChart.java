package io.kefu.shop;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Which size fits which height and weight.
 *
 * @param id the id products refer to (e.g. {@code "tops"})
 * @param name what it covers (e.g. {@code 上衣/连衣裙})
 * @param rows one row per size, smallest first
 */
public record SizeChart(String id, String name, List<Row> rows) {
    /** Copies the rows and checks for nulls. */
    public SizeChart {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        rows = List.copyOf(rows);
    }

    /**
     * One size's fit range; both ranges are inclusive.
     *
     * @param size the size label
     * @param heightMin smallest height in cm
     * @param heightMax largest height in cm
     * @param weightMin lightest weight in kg
     * @param weightMax heaviest weight in kg
     */
    public record Row(String size, int heightMin, int heightMax, int weightMin, int weightMax) {
        /** Checks for nulls. */
        public Row {
            Objects.requireNonNull(size, "size");
        }
    }

    /**
     * The advice for a customer's height and weight.
     *
     * @param size the recommended size
     * @param mixed true when height and weight point to different sizes (the larger one is recommended)
     */
    public record Advice(String size, boolean mixed) {
    }

    /** @return this chart limited to {@code sizes} (rows keep chart order) */
    public SizeChart forSizes(List<String> sizes) {
        return new SizeChart(id, name, rows.stream().filter(r -> sizes.contains(r.size())).toList());
    }

    /**
     * Recommends a size: the row whose height range holds {@code heightCm} and the row whose weight
     * range holds {@code weightKg}; when they differ, the larger of the two (a looser fit is the
     * safer advice).
     *
     * @return the advice, or empty when height or weight is outside the chart
     */
    public Optional<Advice> recommend(int heightCm, int weightKg) {
        int byHeight = -1;
        int byWeight = -1;
        for (int i = 0; i < rows.size(); i++) {
            Row row = rows.get(i);
            if (byHeight < 0 && heightCm >= row.heightMin() && heightCm <= row.heightMax()) {
                byHeight = i;
            }
            if (byWeight < 0 && weightKg >= row.weightMin() && weightKg <= row.weightMax()) {
                byWeight = i;
            }
        }
        if (byHeight < 0 || byWeight < 0) {
            return Optional.empty();
        }
        return Optional.of(new Advice(rows.get(Math.max(byHeight, byWeight)).size(), byHeight != byWeight));
    }
}
