package com.example.shop;

import io.kefu.chat.ChatModel;
import io.kefu.chat.ChatRequest;
import io.kefu.chat.GenerationParameters;
import io.kefu.data.Dataset;
import io.kefu.data.Example;
import io.kefu.model.BaseModel;
import io.kefu.model.Engine;
import io.kefu.model.Engines;
import io.kefu.model.ModelRef;
import io.kefu.train.Adapter;
import io.kefu.train.LoraConfig;
import io.kefu.train.Trainer;
import io.kefu.train.TrainingConfig;
import java.nio.file.Path;

/**
 * LoRA-fine-tunes a base model on the first few of the shop's dialogs, saves the adapter (PEFT layout)
 * and asks the tuned model the next dialog's question (with its system prompt and shop facts), all in
 * this JVM with Kefu's DJL engine.
 *
 * <p>{@code java com.example.shop.TrainAndChat examples/models/demo-base examples/shop/train.jsonl out/shop-lora}
 */
public final class TrainAndChat {
    private TrainAndChat() {
    }

    /**
     * @param examples how many dialogs of {@code trainFile} to train on (one epoch, batch 4); the one after
     *     them is asked
     * @return the tuned model's answer
     */
    public static String run(Path baseModel, Path trainFile, int examples, Path adapterDir) {
        Dataset all = Dataset.load(trainFile);
        Dataset few = Dataset.of(all.examples().subList(0, examples));
        Example asked = all.examples().get(examples);
        Engine djl = Engines.get("djl");
        try (BaseModel base = djl.load(ModelRef.of(baseModel))) {
            Trainer trainer = djl.trainer(TrainingConfig.builder()
                    .lora(LoraConfig.builder().rank(8).alpha(16).targets("q_proj", "v_proj").build())
                    .epochs(1).batchSize(4).gradientAccumulation(1).learningRate(3e-3).maxLength(640).seed(42).build());
            Adapter adapter = trainer.fit(base, few, event -> System.out.println(event));
            adapter.save(adapterDir);
            try (ChatModel chat = djl.chatModel(base, adapter)) {
                ChatRequest request = ChatRequest.builder()
                        .messages(asked.prompt())
                        .parameters(GenerationParameters.builder().maxNewTokens(32).build())
                        .build();
                System.out.println("Q: " + asked.question().orElse("").lines().findFirst().orElse(""));
                return chat.chat(request).text();
            }
        }
    }

    public static void main(String[] args) {
        Path base = Path.of(args.length > 0 ? args[0] : "examples/models/demo-base");
        Path train = Path.of(args.length > 1 ? args[1] : "examples/shop/train.jsonl");
        Path out = Path.of(args.length > 2 ? args[2] : "out/shop-lora");
        System.out.println("A: " + run(base, train, 8, out));
    }
}
