package io.kefu.cli.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kefu.chat.ChatMessage;
import io.kefu.cli.Cli;
import io.kefu.cli.KefuCli;
import io.kefu.runtime.template.HfChatTemplate;
import io.kefu.runtime.tokenize.HfTokenizer;
import io.kefu.model.Engines;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kefu chat} and {@code kefu generate} through the real entry point, on a tiny random llama with the Llama 3 tokenizer. */
class ChatGenerateCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path shared;

    @TempDir
    Path dir;

    private static Path model;

    @BeforeAll
    static void tinyModel() throws Exception {
        Path config = shared.resolve("tiny.json");
        Files.writeString(config, "{\"hidden_size\": 64, \"intermediate_size\": 128, \"num_hidden_layers\": 1,"
                + " \"num_attention_heads\": 2, \"num_key_value_heads\": 1, \"head_dim\": 32, \"vocab_size\": 128256,"
                + " \"tie_word_embeddings\": true, \"torch_dtype\": \"float32\"}");
        model = shared.resolve("model");
        Engines.get("djl").initCheckpoint("llama", config,
                Path.of(System.getProperty("kefu.tokenizers.dir"), "llama3"), model, 11);
    }

    private static Cli.Result withStdin(String input, String... args) {
        InputStream original = System.in;
        System.setIn(new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)));
        try {
            return Cli.run(args);
        } finally {
            System.setIn(original);
        }
    }

    private static List<JsonNode> jsonLines(String text) throws Exception {
        List<JsonNode> nodes = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (!line.isBlank()) {
                nodes.add(JSON.readTree(line));
            }
        }
        return nodes;
    }

    private static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }

    @Test
    void generateWritesTextTokenIdsAndLogprobsRenderedWithTheChatTemplate() throws Exception {
        Path in = dir.resolve("in.jsonl");
        Files.writeString(in, """
                {"id": "q1", "messages": [{"role": "user", "content": "连衣裙A有S码吗?"}]}

                {"id": 2, "messages": [{"role": "system", "content": "You are the shop's assistant."}, {"role": "user", "content": "hello"}]}
                """);
        Path out = dir.resolve("out.jsonl");

        Cli.Result result = Cli.run("generate", "--engine", "djl", "--model", model.toString(), "--in", in.toString(),
                "--out", out.toString(), "--greedy", "--max-new-tokens", "5", "--logprobs", "--json");

        assertThat(result.exitCode()).as(result.err()).isZero();
        JsonNode summary = JSON.readTree(result.out());
        assertThat(summary.get("lines").asInt()).isEqualTo(2);
        List<JsonNode> lines = jsonLines(Files.readString(out));
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0).get("id").asText()).isEqualTo("q1");
        assertThat(lines.get(1).get("id").asInt()).isEqualTo(2);

        HfChatTemplate template = HfChatTemplate.fromModelDir(model);
        try (HfTokenizer tokenizer = HfTokenizer.load(model)) {
            List<List<ChatMessage>> prompts = List.of(List.of(ChatMessage.user("连衣裙A有S码吗?")),
                    List.of(ChatMessage.system("You are the shop's assistant."), ChatMessage.user("hello")));
            for (int i = 0; i < 2; i++) {
                JsonNode line = lines.get(i);
                assertThat(ints(line.get("prompt_token_ids")))
                        .isEqualTo(tokenizer.encode(template.render(prompts.get(i), true)));
                int[] generated = ints(line.get("token_ids"));
                assertThat(generated.length).isBetween(1, 5);
                assertThat(line.get("finish_reason").asText()).isIn("stop", "length");
                if (line.get("finish_reason").asText().equals("length")) {
                    assertThat(generated).hasSize(5);
                    assertThat(line.get("text").asText()).isEqualTo(tokenizer.decode(generated, true));
                }
                JsonNode logprobs = line.get("logprobs");
                assertThat(logprobs.size()).isEqualTo(generated.length);
                for (int t = 0; t < generated.length; t++) {
                    assertThat(logprobs.get(t).get("token_id").asInt()).isEqualTo(generated[t]);
                    assertThat(logprobs.get(t).get("logprob").asDouble()).isLessThanOrEqualTo(0.0);
                }
            }
        }

        byte[] first = Files.readAllBytes(out);
        Cli.Result again = Cli.run("generate", "--model", model.toString(), "--in", in.toString(),
                "--out", out.toString(), "--max-new-tokens", "5", "--logprobs", "--device", "cpu");
        assertThat(again.exitCode()).as(again.err()).isZero();
        assertThat(again.out()).contains("wrote 2 lines to " + out);
        assertThat(Files.readAllBytes(out)).as("greedy decoding is deterministic").isEqualTo(first);
    }

    @Test
    void generateRefusesBadLinesWithFileLineAndFieldAndWritesNothing() throws Exception {
        Path in = dir.resolve("bad.jsonl");
        Files.writeString(in, "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}\n{\"prompt\": \"Once upon\"}\n");
        Path out = dir.resolve("out.jsonl");

        Cli.Result result = Cli.run("generate", "--model", model.toString(), "--in", in.toString(), "--out", out.toString());

        assertThat(result.exitCode()).isEqualTo(KefuCli.EXIT_FAILED);
        assertThat(result.err()).contains(in + ":2: messages: missing; for plain \"prompt\" lines pass --raw");
        assertThat(out).doesNotExist();
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).noneMatch(p -> p.getFileName().toString().endsWith(".tmp"));
        }

        Files.writeString(in, "{\"messages\": [{\"role\": \"robot\", \"content\": \"hi\"}]}\n");
        assertThat(Cli.run("generate", "--model", model.toString(), "--in", in.toString(), "--out", out.toString()).err())
                .contains(in + ":1: messages[0].role: unknown role 'robot'");
    }

    @Test
    void generateRawTokenizesThePromptAsItIsAndContinuesIt() throws Exception {
        String prompt = "Once upon a time";
        Path in = dir.resolve("raw.jsonl");
        Files.writeString(in, JSON.writeValueAsString(java.util.Map.of("prompt", prompt)) + "\n");
        Path out = dir.resolve("raw-out.jsonl");

        Cli.Result result = Cli.run("generate", "--engine", "djl", "--model", model.toString(), "--raw", "--greedy",
                "--in", in.toString(), "--out", out.toString(), "--max-new-tokens", "4");

        assertThat(result.exitCode()).as(result.err()).isZero();
        List<JsonNode> lines = jsonLines(Files.readString(out));
        assertThat(lines).hasSize(1);
        int[] expectedPrompt;
        try (HfTokenizer tokenizer = HfTokenizer.load(model)) {
            expectedPrompt = tokenizer.encode(prompt);
        }
        assertThat(ints(lines.get(0).get("prompt_token_ids"))).as("no template, no special tokens").containsExactly(expectedPrompt);
        assertThat(lines.get(0).get("token_ids").size()).isBetween(1, 4);
        assertThat(lines.get(0).get("finish_reason").asText()).isNotBlank();
    }

    @Test
    void aDeviceTheEngineCannotUseIsRefusedBeforeAnythingIsWritten() throws Exception {
        Path in = dir.resolve("device-in.jsonl");
        Files.writeString(in, "{\"id\": 1, \"messages\": [{\"role\": \"user\", \"content\": \"hello\"}]}\n");
        Path out = dir.resolve("device-out.jsonl");
        Cli.Result cuda = Cli.run("generate", "--model", model.toString(), "--in", in.toString(), "--out", out.toString(),
                "--device", "cuda");
        assertThat(cuda.exitCode()).isEqualTo(KefuCli.EXIT_USAGE);
        assertThat(cuda.err()).contains("engine 'djl' cannot compute on device cuda:0", "CPU build");
        assertThat(out).doesNotExist();

        Cli.Result typo = Cli.run("chat", "--model", model.toString(), "--device", "gpu");
        assertThat(typo.exitCode()).isEqualTo(KefuCli.EXIT_USAGE);
        assertThat(typo.err()).contains("device 'gpu' is not cpu, cuda, cuda:N or auto");
    }

    @Test
    void generateUsageErrorsExitWithTwo() {
        Cli.Result result = Cli.run("generate", "--model", model.toString(), "--in", "x.jsonl", "--out", "y.jsonl",
                "--greedy", "--temperature", "0.7");
        assertThat(result.exitCode()).isEqualTo(KefuCli.EXIT_USAGE);
        assertThat(result.err()).contains("--greedy and --temperature");

        Cli.Result missing = Cli.run("generate", "--model", model.toString());
        assertThat(missing.exitCode()).isEqualTo(KefuCli.EXIT_USAGE);
        assertThat(missing.err()).contains("--in");
    }

    @Test
    void chatKeepsTheConversationResetsAndStreamsTheSameTextAsAWholeAnswer() throws Exception {
        String[] jsonArgs = {"chat", "--model", model.toString(), "--max-new-tokens", "6", "--json"};
        Cli.Result json = withStdin("连衣裙A有S码吗?\n再说一遍\n/reset\n连衣裙A有S码吗?\n/exit\nnever read\n", jsonArgs);

        assertThat(json.exitCode()).as(json.err()).isZero();
        List<JsonNode> answers = jsonLines(json.out());
        assertThat(answers).hasSize(3);
        int firstPrompt = answers.get(0).get("prompt_tokens").asInt();
        assertThat(answers.get(1).get("prompt_tokens").asInt())
                .as("the second turn carries the first question and answer")
                .isGreaterThan(firstPrompt + answers.get(0).get("completion_tokens").asInt());
        assertThat(answers.get(2)).as("after /reset the conversation starts over").isEqualTo(answers.get(0));

        Cli.Result streamed = withStdin("连衣裙A有S码吗?\n", "chat", "--engine", "djl", "--model", model.toString(),
                "--max-new-tokens", "6");
        assertThat(streamed.exitCode()).as(streamed.err()).isZero();
        assertThat(streamed.out()).isEqualTo(answers.get(0).get("text").asText() + System.lineSeparator());
    }

    @Test
    void chatWithTheOnnxEngineOnAnExportedModel() throws Exception {
        Path exported = dir.resolve("onnx");
        Cli.Result export = Cli.run("export", "onnx", "--model", model.toString(), "--out", exported.toString());
        assertThat(export.exitCode()).as(export.err()).isZero();

        String questions = "连衣裙A有S码吗?\n再说一遍\n";
        Cli.Result onnx = withStdin(questions, "chat", "--engine", "onnx", "--model", exported.toString(),
                "--max-new-tokens", "6", "--json");
        assertThat(onnx.exitCode()).as(onnx.err()).isZero();
        List<JsonNode> answers = jsonLines(onnx.out());
        assertThat(answers).hasSize(2);
        assertThat(answers.get(0).get("completion_tokens").asInt()).isBetween(1, 6);
        assertThat(answers.get(1).get("prompt_tokens").asInt())
                .as("the second turn carries the first question and answer")
                .isGreaterThan(answers.get(0).get("prompt_tokens").asInt() + answers.get(0).get("completion_tokens").asInt());

        Cli.Result djl = withStdin(questions, "chat", "--engine", "djl", "--model", model.toString(), "--max-new-tokens", "6", "--json");
        assertThat(djl.exitCode()).as(djl.err()).isZero();
        assertThat(answers.get(0).get("prompt_tokens").asInt()).as("the same chat template and tokenizer as the checkpoint's")
                .isEqualTo(jsonLines(djl.out()).get(0).get("prompt_tokens").asInt());

        Cli.Result streamed = withStdin("连衣裙A有S码吗?\n", "chat", "--engine", "onnx", "--model", exported.toString(),
                "--max-new-tokens", "6");
        assertThat(streamed.exitCode()).as(streamed.err()).isZero();
        assertThat(streamed.out()).isEqualTo(answers.get(0).get("text").asText() + System.lineSeparator());
    }

    @Test
    void chatSystemMessageAndBadCommands() throws Exception {
        Cli.Result plain = withStdin("hello\n", "chat", "--model", model.toString(), "--max-new-tokens", "3", "--json");
        Cli.Result withSystem = withStdin("hello\n", "chat", "--model", model.toString(), "--max-new-tokens", "3", "--json",
                "--system", "You are the shop's assistant.");
        assertThat(withSystem.exitCode()).as(withSystem.err()).isZero();
        assertThat(JSON.readTree(withSystem.out()).get("prompt_tokens").asInt())
                .isGreaterThan(JSON.readTree(plain.out()).get("prompt_tokens").asInt());

        Cli.Result unknown = withStdin("/quit\n", "chat", "--model", model.toString());
        assertThat(unknown.exitCode()).isEqualTo(KefuCli.EXIT_USAGE);
        assertThat(unknown.err()).contains("unknown chat command '/quit'");

        Cli.Result help = Cli.run("chat", "--help");
        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).contains("Examples:", "/reset", "HF_TOKEN");
    }
}
