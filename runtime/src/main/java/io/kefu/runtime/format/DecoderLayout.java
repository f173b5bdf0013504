package io.kefu.runtime.format;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The tensors a Hugging Face checkpoint of a supported decoder holds, with transformers' names
 * and shapes ({@code [out, in]} for linear weights), derived from the config alone. Used to
 * validate checkpoints, to write random-init ones and to count parameters.
 */
public final class DecoderLayout {
    /** The attention projections of a layer, in transformers' order. */
    public static final List<String> ATTENTION_PROJECTIONS = List.of("q_proj", "k_proj", "v_proj", "o_proj");
    /** The MLP projections of a layer, in transformers' order. */
    public static final List<String> MLP_PROJECTIONS = List.of("gate_proj", "up_proj", "down_proj");

    private final HfModelConfig config;
    private final Map<String, long[]> shapes;

    private DecoderLayout(HfModelConfig config) {
        this.config = config;
        this.shapes = Collections.unmodifiableMap(build(config));
    }

    /** @return the layout of a model with this config */
    public static DecoderLayout of(HfModelConfig config) {
        return new DecoderLayout(config);
    }

    /** @return the config */
    public HfModelConfig config() {
        return config;
    }

    /** @return every tensor name, in transformers' module order */
    public List<String> names() {
        return List.copyOf(shapes.keySet());
    }

    /** @return the shape of a tensor, or null when the model has no such tensor */
    public long[] shape(String name) {
        long[] s = shapes.get(name);
        return s == null ? null : s.clone();
    }

    /** @return every tensor as a spec with the given on-disk dtype, in module order */
    public List<TensorSpec> specs(Dtype dtype) {
        List<TensorSpec> out = new ArrayList<>(shapes.size());
        shapes.forEach((name, shape) -> out.add(new TensorSpec(name, dtype, shape)));
        return out;
    }

    /** @return the total number of parameters */
    public long parameterCount() {
        long n = 0;
        for (long[] s : shapes.values()) {
            n += TensorInfo.elementCount(s);
        }
        return n;
    }

    /** @return {@code model.layers.{layer}.self_attn.{proj}} or {@code model.layers.{layer}.mlp.{proj}} */
    public static String modulePath(int layer, String projection) {
        String block = MLP_PROJECTIONS.contains(projection) ? "mlp" : "self_attn";
        return "model.layers." + layer + "." + block + "." + projection;
    }

    /** @return {@code [in, out]} features of a linear projection in this model */
    public int[] linearFeatures(String projection) {
        int h = config.hiddenSize();
        switch (projection) {
            case "q_proj": return new int[] {h, config.qDim()};
            case "k_proj": case "v_proj": return new int[] {h, config.kvDim()};
            case "o_proj": return new int[] {config.qDim(), h};
            case "gate_proj": case "up_proj": return new int[] {h, config.intermediateSize()};
            case "down_proj": return new int[] {config.intermediateSize(), h};
            default: throw new IllegalArgumentException("not a linear projection: " + projection);
        }
    }

    private Map<String, long[]> build(HfModelConfig c) {
        Map<String, long[]> m = new LinkedHashMap<>();
        long h = c.hiddenSize();
        m.put("model.embed_tokens.weight", new long[] {c.vocabSize(), h});
        for (int i = 0; i < c.numHiddenLayers(); i++) {
            String p = "model.layers." + i + ".";
            m.put(p + "input_layernorm.weight", new long[] {h});
            for (String proj : ATTENTION_PROJECTIONS) {
                int[] io = linearFeatures(proj);
                m.put(p + "self_attn." + proj + ".weight", new long[] {io[1], io[0]});
                boolean bias = proj.equals("o_proj") ? c.outputProjectionBias() : c.attentionBias();
                if (bias) {
                    m.put(p + "self_attn." + proj + ".bias", new long[] {io[1]});
                }
            }
            if (c.architecture().hasQkNorm()) {
                m.put(p + "self_attn.q_norm.weight", new long[] {c.headDim()});
                m.put(p + "self_attn.k_norm.weight", new long[] {c.headDim()});
            }
            m.put(p + "post_attention_layernorm.weight", new long[] {h});
            for (String proj : MLP_PROJECTIONS) {
                int[] io = linearFeatures(proj);
                m.put(p + "mlp." + proj + ".weight", new long[] {io[1], io[0]});
                if (c.mlpBias()) {
                    m.put(p + "mlp." + proj + ".bias", new long[] {io[1]});
                }
            }
        }
        m.put("model.norm.weight", new long[] {h});
        if (!c.tieWordEmbeddings()) {
            m.put("lm_head.weight", new long[] {c.vocabSize(), h});
        }
        return m;
    }
}
