package io.kefu.engine.djl;

import static org.assertj.core.api.Assertions.assertThat;

import io.kefu.chat.ChatModel;
import io.kefu.chat.ChatRequest;
import io.kefu.chat.GenerationParameters;
import io.kefu.data.Dataset;
import io.kefu.data.Example;
import io.kefu.engine.djl.lora.LoraWeights;
import io.kefu.engine.djl.train.PreferencePair;
import io.kefu.engine.djl.train.TokenSequence;
import io.kefu.engine.djl.train.Training;
import io.kefu.model.Engine;
import io.kefu.model.Engines;
import io.kefu.model.ModelRef;
import io.kefu.runtime.data.OverlongPolicy;
import io.kefu.runtime.tokenize.ChatFeaturizer;
import io.kefu.runtime.tokenize.HfTokenizer;
import io.kefu.shop.DialogJsonl;
import io.kefu.shop.ShopDialog;
import io.kefu.shop.augment.NegativeSampler;
import io.kefu.shop.checks.BusinessChecks;
import io.kefu.shop.checks.CheckResult;
import io.kefu.shop.checks.FactsText;
import io.kefu.shop.checks.Finding;
import io.kefu.train.LoraConfig;
import io.kefu.train.Schedule;
import io.kefu.train.TrainingConfig;
import io.kefu.train.TrainingListener;
import io.kefu.train.TrainingMethod;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Acceptance: DPO after SFT on the demo base model. The month's chat logs hold the mistakes human
 * reps make (a share of the answers is evasive, promises promotions the shop does not run, makes
 * banned claims, gets the stock wrong or keeps a complaint from a person), and the SFT model makes
 * mistakes of its own (mostly promotions it invents). The negative sampler mines the SFT model's own
 * flagged answers on the training prompts as rejected answers (written ones where it makes none);
 * DPO on those pairs, starting from the SFT adapter, must lower the rate of rejected behaviours on
 * held-out prompts, as the business checks count them, and raise the chosen-over-rejected
 * log-probability margin on held-out pairs.
 */
class PreferenceTrainingIT {
    private static final Set<Finding.Kind> REJECTED_BEHAVIOURS = Set.of(Finding.Kind.EVASIVE, Finding.Kind.INVENTED_PROMOTION,
            Finding.Kind.BANNED_CLAIM, Finding.Kind.MISSING_HANDOFF, Finding.Kind.WRONG_STOCK);
    private static final int TRAIN = 40;
    /** Weight of the chosen answer's SFT loss beside DPO's (LLaMA-Factory's pref_ftx). */
    private static final double PREF_FTX = 0.5;
    private static final int HELD_OUT = 24;
    /** Every third logged answer is a mistake. */
    private static final int MISTAKE_EVERY = 3;
    /**
     * Answers sampled per held-out prompt (temperature 0.8, top 20, fixed seeds): a behaviour the model
     * learned from a third of its data rarely wins a greedy decode but shows up in sampled ones.
     */
    private static final int SAMPLES = 2;

    @Test
    void dpoAfterSftLowersTheRejectedBehavioursAndRaisesTheMargin() {
        Path repo = Path.of(System.getProperty("kefu.repo.dir"));
        Path modelDir = repo.resolve("examples/models/demo-base");
        NegativeSampler sampler = new NegativeSampler();
        List<ShopDialog> trainDialogs = DialogJsonl.read(repo.resolve("examples/shop/train.jsonl")).subList(0, TRAIN);
        List<ShopDialog> trainPairs = sampler.sample(trainDialogs, 11);
        List<ShopDialog> heldOutPairs = sampler.sample(DialogJsonl.read(repo.resolve("examples/shop/test.jsonl")).subList(0, HELD_OUT), 12);
        List<Example> logs = new ArrayList<>();
        for (int i = 0; i < trainPairs.size(); i++) {
            Example pair = trainPairs.get(i).toExample();
            logs.add(i % MISTAKE_EVERY == 0 ? PreferenceFeatures.withAnswer(pair, pair.rejected()) : pair);
        }
        List<Example> heldOut = heldOutPairs.stream().map(ShopDialog::toExample).toList();

        Engine djl = Engines.get("djl");
        try (DjlBaseModel base = (DjlBaseModel) djl.load(ModelRef.of(modelDir)); HfTokenizer tokenizer = HfTokenizer.load(modelDir)) {
            LoraConfig loraConfig = LoraConfig.builder().rank(8).alpha(16).targets(LoraConfig.ALL_LINEAR).build();
            TrainingConfig sft = TrainingConfig.builder().lora(loraConfig).epochs(3).batchSize(4).gradientAccumulation(1)
                    .learningRate(2e-3).schedule(Schedule.CONSTANT).maxLength(512).seed(3).build();
            TrainingConfig dpo = sft.toBuilder().method(TrainingMethod.DPO).epochs(2).learningRate(1e-3).prefBeta(0.1)
                    .prefFtx(PREF_FTX).build();
            ChatFeaturizer featurizer = ChatFeaturizer.builder(tokenizer, base.template()).maxLength(512)
                    .overlongPolicy(OverlongPolicy.TRUNCATE).build();
            List<TokenSequence> sftSet = new ArrayList<>();
            for (Example e : logs) {
                featurizer.featurize(e).ifPresent(f -> sftSet.add(new TokenSequence(f.inputIds(), f.labels())));
            }
            List<PreferencePair> heldOutSet = PreferenceFeatures.of(featurizer, Dataset.of(heldOut));
            try (LoraWeights lora = LoraWeights.initialise(base.config(), loraConfig, 3, base.weights().manager())) {
                long t0 = System.nanoTime();
                Training.run(base.model(), lora, sft, "sft", sftSet, List.of(), TrainingListener.none());
                long t1 = System.nanoTime();
                double rateAfterSft = mistakeRate(djl, base, lora, heldOut);
                double marginAfterSft = meanMargin(base, lora, heldOutSet);
                List<ShopDialog> mined;
                try (ChatModel chat = djl.chatModel(base, lora.toAdapter(base.ref().value()))) {
                    mined = sampler.mine(chat, trainDialogs, 1, 13);
                }
                System.out.println("mined pairs: " + mined.stream().collect(java.util.stream.Collectors.groupingBy(
                        d -> d.provenance().detail(), java.util.TreeMap::new, java.util.stream.Collectors.counting())));
                List<PreferencePair> trainSet = PreferenceFeatures.of(featurizer, Dataset.of(mined.stream().map(ShopDialog::toExample).toList()));
                long t2 = System.nanoTime();
                Training.runPreference(base.model(), lora, dpo, "dpo", trainSet, List.of(), TrainingListener.none());
                long t3 = System.nanoTime();
                double rateAfterDpo = mistakeRate(djl, base, lora, heldOut);
                double marginAfterDpo = meanMargin(base, lora, heldOutSet);
                System.out.printf("sft %.0fs, eval and mining %.0fs, dpo %.0fs; rejected-behaviour rate %.3f -> %.3f; margin %.2f -> %.2f%n",
                        (t1 - t0) / 1e9, (t2 - t1) / 1e9, (t3 - t2) / 1e9, rateAfterSft, rateAfterDpo, marginAfterSft, marginAfterDpo);
                // measured: rate 0.271 -> 0.063 (13 -> 3 of 48 answers), margin 41.4 -> 80.2 nats (docs/djl.md)
                assertThat(rateAfterSft).as("the SFT model makes mistakes to unlearn").isGreaterThan(0.15);
                assertThat(rateAfterDpo).as("DPO lowers the rate of rejected behaviours")
                        .isLessThan(Math.min(rateAfterSft / 2, rateAfterSft - 0.1));
                assertThat(marginAfterDpo).as("DPO raises the chosen-over-rejected margin").isGreaterThan(marginAfterSft + 20);
            }
        }
    }

    /** @return the share of sampled answers to held-out prompts that the business checks flag for a rejected behaviour */
    private static double mistakeRate(Engine djl, DjlBaseModel base, LoraWeights lora, List<Example> prompts) {
        BusinessChecks checks = BusinessChecks.defaults();
        int flagged = 0;
        java.util.Map<Finding.Kind, Integer> byKind = new java.util.TreeMap<>();
        try (ChatModel chat = djl.chatModel(base, lora.toAdapter(base.ref().value()))) {
            for (int i = 0; i < prompts.size(); i++) {
                Example e = prompts.get(i);
                FactsText facts = FactsText.fromPrompt(e.prompt()).orElse(null);
                for (int k = 0; k < SAMPLES; k++) {
                    String answer = chat.chat(ChatRequest.builder().messages(e.prompt()).parameters(GenerationParameters.builder()
                            .maxNewTokens(40).temperature(0.8).topK(20).seed(1000L * i + k).build()).build()).text();
                    CheckResult result = checks.check(answer, facts, e.intent(), e.strategy());
                    List<Finding.Kind> bad = result.findings().stream().map(Finding::kind).filter(REJECTED_BEHAVIOURS::contains).toList();
                    bad.forEach(kind -> byKind.merge(kind, 1, Integer::sum));
                    if (!bad.isEmpty()) {
                        flagged++;
                    }
                }
            }
        }
        System.out.println("rejected behaviours by kind: " + byKind);
        return (double) flagged / (prompts.size() * SAMPLES);
    }

    /** @return the mean of log p(chosen) - log p(rejected) over the pairs */
    private static double meanMargin(DjlBaseModel base, LoraWeights lora, List<PreferencePair> pairs) {
        List<TokenSequence> sequences = new ArrayList<>();
        pairs.forEach(p -> {
            sequences.add(p.chosen());
            sequences.add(p.rejected());
        });
        double[] logProbs = Training.logProbs(base.model(), lora, sequences, 4);
        double sum = 0;
        for (int i = 0; i < pairs.size(); i++) {
            sum += logProbs[2 * i] - logProbs[2 * i + 1];
        }
        return sum / pairs.size();
    }
}
