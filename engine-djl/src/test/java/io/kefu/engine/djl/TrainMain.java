package io.kefu.engine.djl;

import io.kefu.data.Dataset;
import io.kefu.model.BaseModel;
import io.kefu.model.Engine;
import io.kefu.model.Engines;
import io.kefu.model.ModelRef;
import io.kefu.train.Adapter;
import io.kefu.train.BaseDtype;
import io.kefu.train.WeightQuantization;
import io.kefu.train.LoraConfig;
import io.kefu.train.TrainingConfig;
import io.kefu.train.TrainingEvent;
import java.nio.file.Path;

/**
 * A training run in its own JVM, for the kill-and-resume test: {@code TrainMain MODEL_DIR RUN_DIR
 * ADAPTER_OUT EXAMPLES PAUSE_MS [INIT_ADAPTER]}, the last to continue from a saved adapter. It prints {@code checkpoint <step>} after each checkpoint and then
 * pauses, so the test can kill it right after a checkpoint. The system property {@value #BASE}
 * picks how the frozen base is kept: {@code fp32} (the default), {@code bf16}, or {@code nf4} (with
 * gradient checkpointing).
 */
public final class TrainMain {
    private TrainMain() {
    }

    /** The LoRA settings of every run (a parent adapter for {@code INIT_ADAPTER} needs the same). */
    public static final LoraConfig LORA =
            LoraConfig.builder().rank(4).alpha(8).dropout(0.1).targets("q_proj", "v_proj", "down_proj").build();

    /** The system property naming the base's storage. */
    public static final String BASE = "kefu.test.base";

    public static void main(String[] args) throws InterruptedException {
        Path model = Path.of(args[0]);
        Path run = Path.of(args[1]);
        Path out = Path.of(args[2]);
        int examples = Integer.parseInt(args[3]);
        long pause = Long.parseLong(args[4]);
        Path initAdapter = args.length > 5 ? Path.of(args[5]) : null;
        Engine djl = Engines.get("djl");
        Dataset data = ShopData.first(examples);
        TrainingConfig.Builder config = TrainingConfig.builder()
                .lora(LORA)
                .epochs(2).batchSize(2).gradientAccumulation(2).learningRate(1e-3).warmupRatio(0.2).maxLength(1024).seed(11)
                .checkpointDir(run).checkpointEverySteps(1).initAdapter(initAdapter);
        switch (System.getProperty(BASE, "fp32")) {
            case "fp32" -> config.baseDtype(BaseDtype.FP32);
            case "bf16" -> config.baseDtype(BaseDtype.BF16);
            case "nf4" -> config.quantization(WeightQuantization.NF4).gradientCheckpointing(true);
            default -> throw new IllegalArgumentException(System.getProperty(BASE));
        }
        try (BaseModel base = djl.load(ModelRef.of(model))) {
            Adapter adapter = djl.trainer(config.build()).fit(base, data, event -> {
                if (event instanceof TrainingEvent.Checkpoint c) {
                    System.out.println("checkpoint " + c.step());
                    System.out.flush();
                    try {
                        Thread.sleep(pause);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            });
            adapter.save(out);
        }
        System.out.println("done");
    }
}
