package io.kefu.runtime.format;

/**
 * Llama 3.1-style RoPE frequency scaling ({@code rope_scaling} with {@code rope_type: "llama3"}):
 * wavelengths longer than {@code originalMaxPositionEmbeddings / lowFreqFactor} are divided by
 * {@code factor}, shorter than {@code originalMaxPositionEmbeddings / highFreqFactor} are kept,
 * and the band between is interpolated smoothly, as in transformers' {@code _compute_llama3_parameters}.
 *
 * @param type the rope type; always {@code llama3}
 * @param factor how much longer the context is than in pre-training (8 for Llama 3.1)
 * @param lowFreqFactor {@code low_freq_factor} (1 for Llama 3.1)
 * @param highFreqFactor {@code high_freq_factor} (4 for Llama 3.1)
 * @param originalMaxPositionEmbeddings {@code original_max_position_embeddings} (8192 for Llama 3.1)
 */
public record RopeScaling(String type, double factor, double lowFreqFactor, double highFreqFactor,
                          int originalMaxPositionEmbeddings) {
    /** The one rope type supported. */
    public static final String LLAMA3 = "llama3";

    /**
     * Scales RoPE inverse frequencies as transformers does for llama3.
     *
     * @param invFreq {@code 1 / theta^(2i/d)} for each pair of dimensions
     * @return the scaled inverse frequencies (a new array)
     */
    public double[] scale(double[] invFreq) {
        double lowFreqWavelen = originalMaxPositionEmbeddings / lowFreqFactor;
        double highFreqWavelen = originalMaxPositionEmbeddings / highFreqFactor;
        double[] out = new double[invFreq.length];
        for (int i = 0; i < invFreq.length; i++) {
            double wavelen = 2 * Math.PI / invFreq[i];
            if (wavelen > lowFreqWavelen) {
                out[i] = invFreq[i] / factor;
            } else if (wavelen < highFreqWavelen) {
                out[i] = invFreq[i];
            } else {
                double smooth = (originalMaxPositionEmbeddings / wavelen - lowFreqFactor) / (highFreqFactor - lowFreqFactor);
                out[i] = (1 - smooth) * invFreq[i] / factor + smooth * invFreq[i];
            }
        }
        return out;
    }
}
