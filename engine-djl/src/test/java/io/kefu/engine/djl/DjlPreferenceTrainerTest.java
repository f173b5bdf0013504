package io.kefu.engine.djl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.data.Dataset;
import io.kefu.data.Example;
import io.kefu.model.BaseModel;
import io.kefu.model.Engine;
import io.kefu.model.Engines;
import io.kefu.model.ModelRef;
import io.kefu.train.LoraConfig;
import io.kefu.train.PreferenceLoss;
import io.kefu.train.Schedule;
import io.kefu.train.TrainingConfig;
import io.kefu.train.TrainingEvent;
import io.kefu.train.TrainingMethod;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Preference training through the public API on the demo base model. */
class DjlPreferenceTrainerTest {
    @TempDir
    static Path temp;

    private static final Path MODEL = Path.of(System.getProperty("kefu.repo.dir"), "examples", "models", "demo-base");

    private static Dataset pairs() throws Exception {
        Path file = temp.resolve("pairs.jsonl");
        List<String> formats = List.of(
                "{\"instruction\": \"S码有货吗{n}\", \"chosen\": \"有的,S码还有12件,可以放心拍~\", \"rejected\": \"不知道。\"}",
                "{\"prompt\": \"能便宜点吗{n}\", \"chosen\": \"亲,现在满299减50,可以凑单哦~\", \"rejected\": \"全网最低价,闭眼入!\"}",
                "{\"conversations\": [{\"from\": \"human\", \"value\": \"我要投诉{n}\"}],"
                        + " \"chosen\": {\"from\": \"gpt\", \"value\": \"非常抱歉,马上为您转接人工客服同事。\"},"
                        + " \"rejected\": {\"from\": \"gpt\", \"value\": \"这不是我们的问题。\"}}",
                "{\"instruction\": \"几天能到{n}\", \"output\": \"江浙沪1-2天,其他地区3-5天哦~\", \"rejected\": \"不清楚,您自己看吧。\"}");
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 10; i++) { // the loader wants 10 examples; distinct questions, as duplicates are refused
            lines.add(formats.get(i % formats.size()).replace("{n}", String.valueOf(i)));
        }
        Files.write(file, lines);
        return Dataset.load(file);
    }

    @ParameterizedTest
    @EnumSource(PreferenceLoss.class)
    void eachPreferenceLossTrainsAndItsLossFalls(PreferenceLoss loss) throws Exception {
        Engine djl = Engines.get("djl");
        // beta 0.1 for each: with SimPO's gamma 0.5 that asks for an average margin of 5 nats, far from met at the start
        TrainingConfig config = TrainingConfig.builder().method(TrainingMethod.DPO).prefLoss(loss).prefBeta(0.1)
                .lora(LoraConfig.builder().rank(4).alpha(8).targets(LoraConfig.ALL_LINEAR).build())
                .epochs(3).batchSize(2).gradientAccumulation(2).learningRate(5e-3).schedule(Schedule.CONSTANT).maxLength(128)
                .seed(1).build();
        List<Double> losses = new ArrayList<>();
        try (BaseModel base = djl.load(ModelRef.of(MODEL))) {
            djl.trainer(config).fit(base, pairs(), event -> {
                if (event instanceof TrainingEvent.Step s) {
                    losses.add(s.loss());
                }
            });
        }
        assertThat(losses).hasSize(9); // 5 micro-batches of 2, 2 per step: 3 steps an epoch
        if (loss == PreferenceLoss.SIGMOID) {
            // LoRA starts with B = 0, so the trained model equals the reference: d = 0, loss = ln 2
            assertThat(losses.get(0)).isCloseTo(Math.log(2), within(1e-4));
        }
        double first = (losses.get(0) + losses.get(1) + losses.get(2)) / 3;
        double last = (losses.get(6) + losses.get(7) + losses.get(8)) / 3;
        assertThat(last).as("%s losses %s", loss, losses).isLessThan(first - 0.05);
    }

    @Test
    void anExampleWithoutARejectedAnswerIsNamed() throws Exception {
        Path file = temp.resolve("mixed.jsonl");
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            lines.add(i == 1 ? "{\"instruction\": \"几天能到\", \"output\": \"3-5天\"}"
                    : "{\"instruction\": \"S码有货吗" + i + "\", \"chosen\": \"有的\", \"rejected\": \"不知道\"}");
        }
        Files.write(file, lines);
        Engine djl = Engines.get("djl");
        TrainingConfig config = TrainingConfig.builder().method(TrainingMethod.DPO).epochs(1).maxLength(64).build();
        try (BaseModel base = djl.load(ModelRef.of(MODEL))) {
            Dataset data = Dataset.load(file);
            assertThatThrownBy(() -> djl.trainer(config).fit(base, data, event -> { }))
                    .isInstanceOf(KefuException.class)
                    .satisfies(e -> assertThat(((KefuException) e).code()).isEqualTo(ErrorCode.INVALID_DATA))
                    .hasMessageContaining("mixed.jsonl:2").hasMessageContaining("no rejected answer");
        }
    }

    @Test
    void theRejectedAnswerReplacesOnlyTheLastTurn() {
        Example e = new Example(List.of(io.kefu.chat.ChatMessage.user("在吗"), io.kefu.chat.ChatMessage.assistant("在的"),
                io.kefu.chat.ChatMessage.user("有S码吗"), io.kefu.chat.ChatMessage.assistant("有的")), null, null, "不知道",
                java.util.Map.of(), io.kefu.data.Provenance.file("x", 1));
        assertThat(PreferenceFeatures.withAnswer(e, e.rejected()).messages()).containsExactly(io.kefu.chat.ChatMessage.user("在吗"),
                io.kefu.chat.ChatMessage.assistant("在的"), io.kefu.chat.ChatMessage.user("有S码吗"), io.kefu.chat.ChatMessage.assistant("不知道"));
    }
}
