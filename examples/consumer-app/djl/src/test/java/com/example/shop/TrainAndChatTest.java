package com.example.shop;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two LoRA steps on the committed demo base model, then one answer from the tuned model. */
class TrainAndChatTest {
    @Test
    void trainsSavesAndChats(@TempDir Path out) {
        Path examples = Path.of(System.getProperty("kefu.examples.dir", "../.."));
        Path adapterDir = out.resolve("shop-lora");
        String answer = TrainAndChat.run(examples.resolve("models/demo-base"), examples.resolve("shop/train.jsonl"), 8,
                adapterDir);
        System.out.println("A: " + answer);
        assertNotNull(answer);
        assertTrue(Files.isRegularFile(adapterDir.resolve("adapter_config.json")), "PEFT adapter_config.json written");
        assertTrue(Files.isRegularFile(adapterDir.resolve("adapter_model.safetensors")), "PEFT adapter_model.safetensors written");
    }
}
