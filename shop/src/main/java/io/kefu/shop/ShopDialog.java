package io.kefu.shop;

import io.kefu.chat.ChatMessage;
import io.kefu.data.Example;
import io.kefu.data.Provenance;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One Alpaca-form dialog as the generator and the augmenters produce it.
 *
 * @param id a stable id (e.g. {@code train-0001}); augmented dialogs derive theirs from the source's
 * @param system the assistant persona ({@link ShopPrompt#persona(String)})
 * @param instruction the customer's question
 * @param input the rendered facts ({@link FactsRenderer#render(ProductFacts)})
 * @param output the answer
 * @param intent the intent's wire name
 * @param strategy how the answer responds (e.g. {@code confirm_stock}, {@code gentle_nudge}, {@code handoff})
 * @param rejected a worse answer kept for preference training, or null
 * @param provenance how it was made, or null for records of the committed sample dataset
 */
public record ShopDialog(String id, String system, String instruction, String input, String output, String intent,
                         String strategy, String rejected, Provenance provenance) {
    /** Checks the required fields. */
    public ShopDialog {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(system, "system");
        Objects.requireNonNull(instruction, "instruction");
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(output, "output");
    }

    /** @return a copy with another id */
    public ShopDialog withId(String newId) {
        return new ShopDialog(newId, system, instruction, input, output, intent, strategy, rejected, provenance);
    }

    /** @return a copy with another question, provenance and id */
    public ShopDialog withInstruction(String newId, String newInstruction, Provenance newProvenance) {
        return new ShopDialog(newId, system, newInstruction, input, output, intent, strategy, rejected, newProvenance);
    }

    /** @return a copy with a rejected answer, provenance and id */
    public ShopDialog withRejected(String newId, String newRejected, Provenance newProvenance) {
        return new ShopDialog(newId, system, instruction, input, output, intent, strategy, newRejected, newProvenance);
    }

    /**
     * @return the dialog as an API example: [system, user (instruction + newline + input), assistant],
     *     exactly as a dataset reader builds it from the Alpaca record
     */
    public Example toExample() {
        List<ChatMessage> messages = new java.util.ArrayList<>();
        if (!system.isEmpty()) {
            messages.add(ChatMessage.system(system));
        }
        messages.add(ChatMessage.user(ShopPrompt.userMessage(instruction, input)));
        messages.add(ChatMessage.assistant(output));
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("id", id);
        Provenance origin = provenance != null ? provenance : new Provenance("template", id, 0, "");
        return new Example(messages, intent, strategy, rejected, metadata, origin);
    }
}
