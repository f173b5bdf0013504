package io.kefu.eval.ab;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Assigns sessions to arms by hashing: SHA-256 of {@code experiment + ":" + sessionId}, its first
 * 8 bytes read as a fraction in [0, 1), compared against the cumulative split. The same session
 * always lands in the same arm, on every machine, and different experiments split independently.
 */
public final class ArmAssigner {
    private final String experiment;
    private final List<String> arms;
    private final double[] cumulative;

    /**
     * @param experiment the experiment name (the hash salt)
     * @param split arm name to weight, in order; weights are positive and normalised (e.g. 50/50 or 0.9/0.1)
     * @throws KefuException {@link ErrorCode#INVALID_ARGUMENT} when there are fewer than two arms or a weight is not positive
     */
    public ArmAssigner(String experiment, Map<String, Double> split) {
        if (split.size() < 2) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "an A/B split needs at least two arms, got " + split.keySet());
        }
        double total = 0;
        for (Map.Entry<String, Double> e : split.entrySet()) {
            if (!(e.getValue() > 0) || e.getValue().isInfinite()) {
                throw new KefuException(ErrorCode.INVALID_ARGUMENT, "arm '" + e.getKey() + "' has weight " + e.getValue() + "; weights must be positive");
            }
            total += e.getValue();
        }
        this.experiment = experiment;
        this.arms = new ArrayList<>(split.keySet());
        this.cumulative = new double[arms.size()];
        double acc = 0;
        int i = 0;
        for (double w : split.values()) {
            acc += w / total;
            cumulative[i++] = acc;
        }
        cumulative[cumulative.length - 1] = 1.0;
    }

    /** @return "control"/"treatment" split 50/50 */
    public static ArmAssigner fiftyFifty(String experiment) {
        Map<String, Double> split = new LinkedHashMap<>();
        split.put("control", 1.0);
        split.put("treatment", 1.0);
        return new ArmAssigner(experiment, split);
    }

    /**
     * Parses a split such as {@code control=50,treatment=50}.
     *
     * @throws KefuException {@link ErrorCode#INVALID_ARGUMENT} on a malformed entry
     */
    public static Map<String, Double> parseSplit(String text) {
        Map<String, Double> split = new LinkedHashMap<>();
        for (String part : text.split(",")) {
            String[] kv = part.trim().split("=");
            try {
                if (kv.length != 2 || kv[0].isBlank()) {
                    throw new NumberFormatException();
                }
                split.put(kv[0].trim(), Double.parseDouble(kv[1].trim()));
            } catch (NumberFormatException e) {
                throw new KefuException(ErrorCode.INVALID_ARGUMENT, "split entry '" + part + "' must look like arm=weight, e.g. control=50,treatment=50");
            }
        }
        return split;
    }

    /** @return the arm of a session */
    public String assign(String sessionId) {
        double u = fraction(experiment + ":" + sessionId);
        for (int i = 0; i < cumulative.length; i++) {
            if (u < cumulative[i]) {
                return arms.get(i);
            }
        }
        return arms.get(arms.size() - 1);
    }

    /** @return the arms in order; the first is the control */
    public List<String> arms() {
        return List.copyOf(arms);
    }

    private static double fraction(String key) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            long v = 0;
            for (int i = 0; i < 8; i++) {
                v = (v << 8) | (h[i] & 0xFF);
            }
            return (v >>> 11) * 0x1.0p-53;
        } catch (NoSuchAlgorithmException e) {
            throw new KefuException(ErrorCode.INTERNAL, "SHA-256 is missing from this JVM", e);
        }
    }
}
