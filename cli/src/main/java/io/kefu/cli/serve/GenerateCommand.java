package io.kefu.cli.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.chat.ChatMessage;
import io.kefu.chat.ChatRequest;
import io.kefu.chat.ChatResponse;
import io.kefu.chat.GenerationParameters;
import io.kefu.chat.Role;
import io.kefu.chat.TokenLogprob;
import io.kefu.cli.common.DecodingOptions;
import io.kefu.cli.common.ProgressReporter;
import io.kefu.runtime.format.AtomicFiles;
import io.kefu.runtime.format.Json;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code kefu generate}: batch generation from a JSONL file, with token ids so engines can be compared. */
@Command(name = "generate",
        mixinStandardHelpOptions = true,
        description = {"Generate an answer for each line of --in (JSONL) and write one line per input to --out.",
                "Each output line holds:",
                "text, prompt_token_ids, token_ids (generated), finish_reason, and with --logprobs per-token logprobs",
                "(token_id, token, logprob). An input's \"id\" is copied to its output line.",
                "Input lines hold \"messages\" ([{\"role\": ..., \"content\": ...}], rendered with the model's chat",
                "template), or with --raw a plain \"prompt\" tokenized as is (base-model completion).",
                "--out is written only when every line succeeded (atomically)."},
        footer = {"", "Examples:",
                "  kefu generate --model models/qwen --in prompts.jsonl --out answers.jsonl --greedy --logprobs",
                "  kefu generate --engine onnx --model out/onnx --in prompts.jsonl --out onnx.jsonl --greedy",
                "  kefu generate --model models/base --raw --in text.jsonl --out completions.jsonl --max-new-tokens 32",
                "", "Input lines:",
                "  {\"id\": \"q1\", \"messages\": [{\"role\": \"user\", \"content\": \"连衣裙A有S码吗?\"}]}",
                "  {\"id\": \"r1\", \"prompt\": \"Once upon a time\"}   (with --raw)"})
public final class GenerateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--in", required = true, paramLabel = "FILE", description = "Input JSONL.")
    Path in;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Output JSONL (replaced atomically).")
    Path out;

    @Option(names = "--raw", description = "Inputs are plain \"prompt\" texts, tokenized as is, without a chat template.")
    boolean raw;

    @Option(names = "--greedy", description = "Pick the most likely token at every step (the default unless --temperature is set).")
    boolean greedy;

    @Option(names = "--temperature", defaultValue = "0", paramLabel = "T", description = "Sampling temperature; 0 is greedy (default: ${DEFAULT-VALUE}).")
    double temperature;

    @Mixin
    DecodingOptions decoding;

    @Option(names = "--logprobs", description = "Add each generated token's log-probability.")
    boolean logprobs;

    @Option(names = "--batch-size", defaultValue = "8", paramLabel = "N", description = "Chat requests decoded together (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--json", description = "Print the summary as JSON.")
    boolean json;

    private final ObjectMapper mapper = Json.mapper();

    /** One input line. */
    private record Input(long line, JsonNode id, List<ChatMessage> messages, String prompt) {
    }

    @Override
    public Integer call() throws IOException {
        if (greedy && temperature != 0) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "--greedy and --temperature " + temperature + " contradict each other");
        }
        if (batchSize < 1) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "--batch-size " + batchSize + " must be at least 1");
        }
        GenerationParameters params = GenerationParameters.builder().maxNewTokens(decoding.maxNewTokens()).temperature(temperature)
                .seed(decoding.seed()).logprobs(logprobs).build();
        List<Input> inputs = readInputs();
        PrintWriter err = spec.commandLine().getErr();
        long promptTokens = 0;
        long completionTokens = 0;
        Path temp = AtomicFiles.tempSibling(out);
        try (LoadedChatModel loaded = modelOptions.load(err);
             BufferedWriter writer = Files.newBufferedWriter(temp, StandardCharsets.UTF_8);
             ProgressReporter progress = ProgressReporter.start(spec, err, "generate", "line", inputs.size())) {
            int step = raw ? 1 : batchSize;
            for (int from = 0; from < inputs.size(); from += step) {
                List<Input> batch = inputs.subList(from, Math.min(inputs.size(), from + step));
                List<ChatResponse> answers = answer(loaded, batch, params);
                for (int i = 0; i < batch.size(); i++) {
                    ChatResponse answer = answers.get(i);
                    promptTokens += answer.usage().promptTokens();
                    completionTokens += answer.usage().completionTokens();
                    writer.write(mapper.writeValueAsString(outputLine(batch.get(i), answer)));
                    writer.write('\n');
                }
                progress.update(from + batch.size());
            }
        } catch (IOException | RuntimeException e) {
            AtomicFiles.deleteQuietly(temp);
            if (e instanceof IOException io) {
                throw new KefuException(ErrorCode.IO, out + ": cannot write: " + io.getMessage(), io);
            }
            throw e;
        }
        AtomicFiles.moveIntoPlace(temp, out);
        PrintWriter o = spec.commandLine().getOut();
        if (json) {
            ObjectNode summary = mapper.createObjectNode();
            summary.put("out", out.toString());
            summary.put("lines", inputs.size());
            summary.put("prompt_tokens", promptTokens);
            summary.put("completion_tokens", completionTokens);
            o.println(mapper.writeValueAsString(summary));
        } else {
            o.printf(Locale.ROOT, "wrote %d lines to %s (%d prompt tokens, %d generated)%n", inputs.size(), out,
                    promptTokens, completionTokens);
        }
        o.flush();
        return 0;
    }

    private List<ChatResponse> answer(LoadedChatModel loaded, List<Input> batch, GenerationParameters params) {
        try {
            return raw
                    ? List.of(loaded.chat().complete(batch.get(0).prompt(), params))
                    : loaded.chat().chatBatch(batch.stream()
                            .map(i -> ChatRequest.builder().messages(i.messages()).parameters(params).build()).toList());
        } catch (KefuException e) {
            if (e.code() != ErrorCode.INVALID_REQUEST) {
                throw e;
            }
            long first = batch.get(0).line();
            long last = batch.get(batch.size() - 1).line();
            throw new KefuException(ErrorCode.INVALID_DATA, in + ":" + (first == last ? first : first + "-" + last)
                    + ": " + e.getMessage(), e);
        }
    }

    private ObjectNode outputLine(Input input, ChatResponse answer) {
        ObjectNode line = mapper.createObjectNode();
        if (input.id() != null) {
            line.set("id", input.id());
        }
        line.put("text", answer.text());
        ArrayNode promptIds = line.putArray("prompt_token_ids");
        answer.promptTokenIds().forEach(promptIds::add);
        ArrayNode tokenIds = line.putArray("token_ids");
        answer.tokenIds().forEach(tokenIds::add);
        line.put("finish_reason", answer.finishReason().wireName());
        if (logprobs) {
            ArrayNode list = line.putArray("logprobs");
            for (TokenLogprob lp : answer.logprobs()) {
                list.addObject().put("token_id", lp.tokenId()).put("token", lp.token()).put("logprob", lp.logprob());
            }
        }
        return line;
    }

    private List<Input> readInputs() {
        List<Input> inputs = new ArrayList<>();
        try (BufferedReader reader = Files.newBufferedReader(in, StandardCharsets.UTF_8)) {
            long lineNo = 0;
            for (String text; (text = reader.readLine()) != null; ) {
                lineNo++;
                if (!text.isBlank()) {
                    inputs.add(parse(lineNo, text));
                }
            }
        } catch (NoSuchFileException e) {
            throw new KefuException(ErrorCode.NOT_FOUND, in + ": input file does not exist", e);
        } catch (CharacterCodingException e) {
            throw new KefuException(ErrorCode.INVALID_DATA, in + ": not valid UTF-8", e);
        } catch (IOException e) {
            throw new KefuException(ErrorCode.IO, in + ": cannot read: " + e.getMessage(), e);
        }
        if (inputs.isEmpty()) {
            throw new KefuException(ErrorCode.INVALID_DATA, in + ": no input lines");
        }
        return inputs;
    }

    private Input parse(long line, String text) {
        JsonNode node;
        try {
            node = mapper.readTree(text);
        } catch (JsonProcessingException e) {
            throw bad(line, null, "not a JSON object: " + e.getOriginalMessage());
        }
        if (!node.isObject()) {
            throw bad(line, null, "not a JSON object");
        }
        JsonNode id = node.get("id");
        if (raw) {
            JsonNode prompt = node.get("prompt");
            if (prompt == null || !prompt.isTextual() || prompt.asText().isEmpty()) {
                throw bad(line, "prompt", node.has("messages") ? "--raw takes a plain \"prompt\" text, not \"messages\""
                        : "missing or not a non-empty text");
            }
            return new Input(line, id, List.of(), prompt.asText());
        }
        JsonNode messages = node.get("messages");
        if (messages == null) {
            throw bad(line, "messages", node.has("prompt") ? "missing; for plain \"prompt\" lines pass --raw" : "missing");
        }
        if (!messages.isArray() || messages.isEmpty()) {
            throw bad(line, "messages", "must be a non-empty array of {\"role\", \"content\"}");
        }
        List<ChatMessage> list = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            JsonNode m = messages.get(i);
            String field = "messages[" + i + "]";
            if (!m.path("role").isTextual() || !m.path("content").isTextual()) {
                throw bad(line, field, "needs text fields \"role\" and \"content\"");
            }
            try {
                list.add(new ChatMessage(Role.fromWireName(m.get("role").asText()), m.get("content").asText()));
            } catch (KefuException e) {
                throw bad(line, field + ".role", e.getMessage());
            }
        }
        try {
            ChatRequest.of(list);
        } catch (KefuException e) {
            throw bad(line, "messages", e.getMessage());
        }
        return new Input(line, id, list, null);
    }

    private KefuException bad(long line, String field, String reason) {
        return new KefuException(ErrorCode.INVALID_DATA, in + ":" + line + (field == null ? "" : ": " + field) + ": " + reason);
    }
}
