package io.kefu.runtime.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.chat.ChatMessage;
import io.kefu.runtime.tokenize.TestTokenizers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HfChatTemplateTest {
    private static final String CHATML = "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}"
            + "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

    @Test
    void endOfTurnOfTheRealTemplates() {
        assertThat(HfChatTemplate.fromModelDir(TestTokenizers.dir("llama3")).endOfTurn()).isEqualTo("<|eot_id|>");
        assertThat(HfChatTemplate.fromModelDir(TestTokenizers.dir("llama3_1")).endOfTurn()).isEqualTo("<|eot_id|>");
        assertThat(HfChatTemplate.fromModelDir(TestTokenizers.dir("qwen3")).endOfTurn()).isEqualTo("<|im_end|>");
    }

    @Test
    void endOfTurnOfOtherTemplateFamilies() {
        // Qwen 3's template given only as source, without the list of special tokens
        String qwen3 = HfChatTemplate.fromModelDir(TestTokenizers.dir("qwen3")).source();
        assertThat(HfChatTemplate.of(qwen3, null, "<|im_end|>").endOfTurn()).isEqualTo("<|im_end|>");
        assertThat(HfChatTemplate.of(CHATML, null, "<|endoftext|>").endOfTurn()).isEqualTo("<|im_end|>");
        String gemma = "{{ bos_token }}{% for message in messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}"
                + "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}"
                + "{% if (message['role'] == 'assistant') %}{% set role = 'model' %}{% else %}{% set role = message['role'] %}{% endif %}"
                + "{{ '<start_of_turn>' + role + '\\n' + message['content'] | trim + '<end_of_turn>\\n' }}{% endfor %}"
                + "{% if add_generation_prompt %}{{'<start_of_turn>model\\n'}}{% endif %}";
        assertThat(HfChatTemplate.of(gemma, "<bos>", "<eos>").endOfTurn()).isEqualTo("<end_of_turn>");
        String mistral = "{{ bos_token }}{% for message in messages %}{% if message['role'] == 'user' %}{{ '[INST] ' + message['content'] + ' [/INST]' }}"
                + "{% elif message['role'] == 'assistant' %}{{ message['content'] + eos_token}}{% endif %}{% endfor %}";
        assertThat(HfChatTemplate.of(mistral, "<s>", "</s>").endOfTurn()).isEqualTo("</s>");
        String silent = "{% for message in messages %}{{ message['content'] }}{% endfor %}";
        assertThat(HfChatTemplate.of(silent, null, "</s>").endOfTurn()).isEqualTo("</s>");
        assertThatThrownBy(() -> HfChatTemplate.of(silent, null, null).endOfTurn())
                .isInstanceOfSatisfying(KefuException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNSUPPORTED));
    }

    @Test
    void customerTextIsNeverExecuted() {
        HfChatTemplate template = HfChatTemplate.of(CHATML, null, "<|im_end|>");
        String attack = "{{ raise_exception('pwned') }}{% for i in range(3) %}{{ i }}{% endfor %}{{ 7 * 7 }}{# x #}";
        String rendered = template.render(List.of(ChatMessage.user(attack)), true);
        assertThat(rendered).isEqualTo("<|im_start|>user\n" + attack + "<|im_end|>\n<|im_start|>assistant\n");
        HfChatTemplate qwen = HfChatTemplate.fromModelDir(TestTokenizers.dir("qwen3"));
        assertThat(qwen.render(List.of(ChatMessage.user(attack)), false)).contains(attack).doesNotContain("49");
    }

    @Test
    void variablesReachTheTemplateAndGenerationPromptIsOptional() {
        HfChatTemplate qwen = HfChatTemplate.fromModelDir(TestTokenizers.dir("qwen3"));
        List<ChatMessage> prompt = List.of(ChatMessage.user("hi"));
        assertThat(qwen.render(prompt, false)).isEqualTo("<|im_start|>user\nhi<|im_end|>\n");
        assertThat(qwen.render(prompt, true)).isEqualTo("<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n");
        assertThat(qwen.render(prompt, true, Map.of("enable_thinking", false)))
                .endsWith("<|im_start|>assistant\n<think>\n\n</think>\n\n");
    }

    @Test
    void badTemplatesAndModelFoldersAreLocatedErrors(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> HfChatTemplate.of("{% for m in messages %}{{ m.content }}", null, null))
                .isInstanceOfSatisfying(KefuException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CHECKPOINT))
                .hasMessageContaining("line 1");
        assertThatThrownBy(() -> HfChatTemplate.of("{# a comment\nover lines #}\n{% if true -%}\n\n  {% endfor %}\n{% endif %}", null, null))
                .isInstanceOfSatisfying(KefuException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CHECKPOINT))
                .hasMessageContaining("line 5");
        assertThatThrownBy(() -> HfChatTemplate.fromModelDir(dir))
                .isInstanceOfSatisfying(KefuException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND))
                .hasMessageContaining(dir.resolve("tokenizer_config.json").toString());
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"eos_token\": \"</s>\"}");
        assertThatThrownBy(() -> HfChatTemplate.fromModelDir(dir))
                .isInstanceOfSatisfying(KefuException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CHECKPOINT))
                .hasMessageContaining("no chat_template");
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"chat_template\": 42}");
        assertThatThrownBy(() -> HfChatTemplate.fromModelDir(dir))
                .isInstanceOfSatisfying(KefuException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CHECKPOINT))
                .hasMessageContaining("field chat_template");
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"chat_template\": ");
        assertThatThrownBy(() -> HfChatTemplate.fromModelDir(dir))
                .isInstanceOfSatisfying(KefuException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CHECKPOINT))
                .hasMessageContaining(dir.resolve("tokenizer_config.json").toString());
    }

    @Test
    void namedTemplatesAndChatTemplateJinjaAreRead(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"bos_token\": {\"content\": \"<s>\"}, \"chat_template\": ["
                + "{\"name\": \"tool_use\", \"template\": \"tools\"}, {\"name\": \"default\", \"template\": \"{{ bos_token }}default\"}]}");
        HfChatTemplate named = HfChatTemplate.fromModelDir(dir);
        assertThat(named.render(List.of(ChatMessage.user("x")), false)).isEqualTo("<s>default");
        assertThat(named.bosToken()).hasValue("<s>");
        Files.writeString(dir.resolve("chat_template.jinja"), "from file {{ messages[0].content }}\n");
        assertThat(HfChatTemplate.fromModelDir(dir).render(List.of(ChatMessage.user("x")), false)).isEqualTo("from file x");
    }

    @Test
    void rendersTheSameFromManyThreads() {
        HfChatTemplate qwen = HfChatTemplate.fromModelDir(TestTokenizers.dir("qwen3"));
        List<List<ChatMessage>> conversations = java.util.stream.IntStream.range(0, 200)
                .mapToObj(i -> List.of(ChatMessage.user("问题" + i), ChatMessage.assistant("<think>r" + i + "</think>答" + i)))
                .toList();
        List<String> sequential = conversations.stream().map(c -> qwen.render(c, false)).toList();
        List<String> parallel = conversations.parallelStream().map(c -> qwen.render(c, false)).toList();
        assertThat(parallel).isEqualTo(sequential);
        assertThat(sequential.get(7)).isEqualTo("<|im_start|>user\n问题7<|im_end|>\n<|im_start|>assistant\n<think>\nr7\n</think>\n\n答7<|im_end|>\n");
    }

    @Test
    void raiseExceptionIsARejectedRequest() {
        HfChatTemplate template = HfChatTemplate.of("{% if messages|length > 1 %}{{ raise_exception('only one message, got ' ~ messages|length) }}{% endif %}ok", null, null);
        assertThat(template.render(List.of(ChatMessage.user("a")), false)).isEqualTo("ok");
        assertThatThrownBy(() -> template.render(List.of(ChatMessage.user("a"), ChatMessage.user("b")), false))
                .isInstanceOfSatisfying(KefuException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST))
                .hasMessage("the chat template rejected the conversation: only one message, got 2");
    }
}
