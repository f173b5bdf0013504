package io.kefu.engine.djl;

import ai.djl.ndarray.NDManager;
import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.runtime.data.OverlongPolicy;
import io.kefu.runtime.format.HfModelConfig;
import io.kefu.runtime.provenance.ParentAdapter;
import io.kefu.runtime.tokenize.ChatFeaturizer;
import io.kefu.runtime.tokenize.HfTokenizer;
import io.kefu.runtime.tokenize.TrainingFeatures;
import io.kefu.data.Dataset;
import io.kefu.data.Example;
import io.kefu.engine.djl.lora.LoraWeights;
import io.kefu.engine.djl.model.DecoderModel;
import io.kefu.engine.djl.model.DecoderWeights;
import io.kefu.engine.djl.model.WeightStorage;
import io.kefu.runtime.format.Dtype;
import io.kefu.train.WeightQuantization;
import io.kefu.engine.djl.train.PreferencePair;
import io.kefu.engine.djl.train.TokenSequence;
import io.kefu.engine.djl.train.Training;
import io.kefu.model.BaseModel;
import io.kefu.train.Adapter;
import io.kefu.train.Trainer;
import io.kefu.train.TrainingConfig;
import io.kefu.train.TrainingListener;
import io.kefu.train.TrainingMethod;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Fine-tunes a {@link DjlBaseModel}: examples are rendered with the model's chat template and
 * tokenized by the runtime's {@link ChatFeaturizer} (prompt tokens masked unless
 * {@link TrainingConfig#trainOnPrompt()}), examples longer than {@link TrainingConfig#maxLength()}
 * are cut to it, then {@link Training} runs AdamW. LoRA starts from PEFT's initialisation or, with
 * {@link TrainingConfig#initAdapter()}, from that adapter's weights once it is checked to fit the run
 * ({@link ParentAdapter}).
 *
 * <p>The frozen base is kept as {@link #storage} says: in fp32 the run shares the model's weights;
 * in 16 bits or NF4 it loads its own compact copy for the run and frees it at the end.
 */
final class DjlTrainer implements Trainer {
    private final TrainingConfig config;

    DjlTrainer(TrainingConfig config) {
        this.config = config;
    }

    @Override
    public TrainingConfig config() {
        return config;
    }

    @Override
    public Adapter fit(BaseModel base, Dataset train, Dataset validation, TrainingListener listener) {
        if (!(base instanceof DjlBaseModel model)) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "the djl engine trains models it loaded; "
                    + base.getClass().getSimpleName() + " comes from another engine");
        }
        model.check();
        // checked before any tokenizing, so a parent that does not fit fails at once
        ParentAdapter parent = config.initAdapter()
                .map(dir -> ParentAdapter.load(dir, config.lora().get(), model.ref().value(), model.config()))
                .orElse(null);
        if (config.method() == TrainingMethod.DPO) {
            return fitPreferences(model, train, validation, parent, listener);
        }
        List<TokenSequence> trainSet;
        List<TokenSequence> validationSet;
        try (HfTokenizer tokenizer = HfTokenizer.load(model.directory())) {
            ChatFeaturizer featurizer = ChatFeaturizer.builder(tokenizer, model.template()).maxLength(config.maxLength())
                    .trainOnPrompt(config.trainOnPrompt()).overlongPolicy(OverlongPolicy.TRUNCATE).build();
            trainSet = featurize(featurizer, train);
            validationSet = validation == null ? List.of() : featurize(featurizer, validation);
        }
        if (trainSet.isEmpty()) {
            throw new KefuException(ErrorCode.INVALID_DATA, "none of the " + train.examples().size() + " training examples "
                    + "has a trained token within maxLength=" + config.maxLength() + " tokens (prompts longer than that "
                    + "leave nothing of the answer); raise maxLength or shorten the prompts");
        }
        HfModelConfig modelConfig = model.config();
        if (config.isFullFineTune()) {
            String fingerprint = fingerprint(modelConfig, trainSet, validationSet, null);
            Training.run(model.model(), null, config, fingerprint, trainSet, validationSet, listener);
            return new FullFineTuneResult(model.ref().value());
        }
        String fingerprint = fingerprint(modelConfig, trainSet, validationSet, parent);
        try (FrozenBase frozen = FrozenBase.of(model, storage(config, model.storedDtype()));
             LoraWeights lora = initialLora(config, modelConfig, parent, frozen.model().weights().manager())) {
            Training.run(frozen.model(), lora, config, fingerprint, trainSet, validationSet, listener);
            return lora.toAdapter(model.ref().value());
        }
    }

    /** Preference training ({@link TrainingMethod#DPO}) on examples with a chosen and a rejected answer. */
    private Adapter fitPreferences(DjlBaseModel model, Dataset train, Dataset validation, ParentAdapter parent,
                                   TrainingListener listener) {
        List<PreferencePair> trainSet;
        List<PreferencePair> validationSet;
        try (HfTokenizer tokenizer = HfTokenizer.load(model.directory())) {
            ChatFeaturizer featurizer = ChatFeaturizer.builder(tokenizer, model.template()).maxLength(config.maxLength())
                    .trainOnPrompt(false).overlongPolicy(OverlongPolicy.TRUNCATE).build();
            trainSet = PreferenceFeatures.of(featurizer, train);
            validationSet = validation == null ? List.of() : PreferenceFeatures.of(featurizer, validation);
        }
        if (trainSet.isEmpty()) {
            throw new KefuException(ErrorCode.INVALID_DATA, "none of the " + train.examples().size() + " preference examples "
                    + "keeps a trained token of both answers within maxLength=" + config.maxLength() + " tokens; raise maxLength "
                    + "or shorten the prompts");
        }
        HfModelConfig modelConfig = model.config();
        List<TokenSequence> flat = new ArrayList<>();
        for (List<PreferencePair> set : List.of(trainSet, validationSet)) {
            set.forEach(p -> {
                flat.add(p.chosen());
                flat.add(p.rejected());
            });
        }
        if (config.isFullFineTune()) {
            Training.runPreference(model.model(), null, config, fingerprint(modelConfig, flat, List.of(), null), trainSet,
                    validationSet, listener);
            return new FullFineTuneResult(model.ref().value());
        }
        // the reference of DPO is the adapter the run starts from: a fresh one, or the parent (e.g. the SFT adapter)
        String fingerprint = fingerprint(modelConfig, flat, List.of(), parent);
        try (FrozenBase frozen = FrozenBase.of(model, storage(config, model.storedDtype()));
             LoraWeights lora = initialLora(config, modelConfig, parent, frozen.model().weights().manager())) {
            Training.runPreference(frozen.model(), lora, config, fingerprint, trainSet, validationSet, listener);
            return lora.toAdapter(model.ref().value());
        }
    }

    /**
     * @param checkpointDtype the dtype of the checkpoint's linear projections
     * @return how a run keeps the frozen base: fp32 under full fine-tuning; otherwise
     *     {@link TrainingConfig#baseDtype()} ({@code AUTO}: a 16-bit checkpoint stays in its dtype),
     *     with the projections in NF4 when {@link TrainingConfig#quantization()} asks
     */
    static WeightStorage storage(TrainingConfig config, Dtype checkpointDtype) {
        if (config.isFullFineTune()) {
            return WeightStorage.FP32;
        }
        Dtype dtype = switch (config.baseDtype()) {
            case AUTO -> checkpointDtype == Dtype.F16 || checkpointDtype == Dtype.BF16 ? checkpointDtype : Dtype.F32;
            case FP32 -> Dtype.F32;
            case FP16 -> Dtype.F16;
            case BF16 -> Dtype.BF16;
        };
        return new WeightStorage(dtype, config.quantization() == WeightQuantization.NF4);
    }

    /** The forward pass a run trains on: the model's own fp32 weights, or a compact copy the run owns. */
    private record FrozenBase(DecoderModel model, DecoderWeights owned) implements AutoCloseable {
        static FrozenBase of(DjlBaseModel base, WeightStorage storage) {
            if (storage.isFp32()) {
                return new FrozenBase(base.model(), null);
            }
            DecoderWeights weights = base.load(storage);
            return new FrozenBase(new DecoderModel(weights, base.config().maxPositionEmbeddings()), weights);
        }

        @Override
        public void close() {
            if (owned != null) {
                model.close();
                owned.close();
            }
        }
    }

    /**
     * The LoRA weights a run starts from: PEFT's initialisation, or the parent adapter's tensors as
     * saved when the run continues from one (with the run's dropout, which the parent may not share).
     */
    static LoraWeights initialLora(TrainingConfig config, HfModelConfig modelConfig, ParentAdapter parent, NDManager manager) {
        if (parent == null) {
            return LoraWeights.initialise(modelConfig, config.lora().get(), config.seed(), manager);
        }
        Map<String, float[]> values = new LinkedHashMap<>();
        parent.adapter().tensors().forEach((name, tensor) -> values.put(name, tensor.data()));
        return LoraWeights.of(modelConfig, config.lora().get(), values, manager);
    }

    private static List<TokenSequence> featurize(ChatFeaturizer featurizer, Dataset data) {
        List<TokenSequence> out = new ArrayList<>();
        for (Example example : data) {
            Optional<TrainingFeatures> f = featurizer.featurize(example);
            f.ifPresent(features -> out.add(new TokenSequence(features.inputIds(), features.labels())));
        }
        return out;
    }

    /** Identifies the run: a checkpoint of another run (other data, settings or parent adapter) is not resumed. */
    private String fingerprint(HfModelConfig model, List<TokenSequence> train, List<TokenSequence> validation,
                               ParentAdapter parent) {
        long hash = 17;
        for (List<TokenSequence> set : List.of(train, validation)) {
            for (TokenSequence s : set) {
                hash = hash * 31 + Arrays.hashCode(s.inputIds());
                hash = hash * 31 + Arrays.hashCode(s.labels());
            }
            hash = hash * 31 + set.size();
        }
        // the parent counts by content, not by where it lies
        TrainingConfig withoutPaths = config.toBuilder().checkpointDir(null).initAdapter(null).logEverySteps(1).build();
        return withoutPaths + "|" + model.toJson().hashCode() + "|" + Long.toHexString(hash)
                + (parent == null ? "" : "|parent=" + parent.sha256());
    }
}
