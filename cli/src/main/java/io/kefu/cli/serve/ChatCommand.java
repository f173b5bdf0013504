package io.kefu.cli.serve;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.chat.ChatChunk;
import io.kefu.chat.ChatMessage;
import io.kefu.chat.ChatRequest;
import io.kefu.chat.ChatResponse;
import io.kefu.chat.ChatStream;
import io.kefu.chat.GenerationParameters;
import io.kefu.cli.common.DecodingOptions;
import io.kefu.runtime.format.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code kefu chat}: talk to a model in the terminal, answers streamed as they are generated. */
@Command(name = "chat",
        mixinStandardHelpOptions = true,
        description = {"Chat with a model on the terminal, each answer streamed as it is generated.",
                "Reads your messages from standard input, one per line. The conversation is kept between turns.",
                "Commands: /reset forgets the conversation (keeps --system), /exit (or end of input) quits.",
                "--model takes a checkpoint folder or a Hugging Face hub id (downloaded once into the hub cache;",
                "see HF_ENDPOINT, HF_TOKEN, HF_HUB_OFFLINE in docs/configuration.md)."},
        footer = {"", "Examples:",
                "  kefu chat --model Qwen/Qwen2.5-0.5B-Instruct --system \"You are the shop's assistant.\"",
                "  kefu chat --engine djl --model models/qwen --adapter out/shop/adapter --temperature 0.7",
                "  echo '连衣裙A有S码吗?' | kefu chat --model models/qwen --json"})
public final class ChatCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--system", paramLabel = "TEXT", description = "System message that starts the conversation.")
    String system;

    @Option(names = "--temperature", defaultValue = "0", paramLabel = "T", description = "Sampling temperature; 0 is greedy (default: ${DEFAULT-VALUE}).")
    double temperature;

    @Option(names = "--top-p", defaultValue = "1.0", paramLabel = "P", description = "Nucleus sampling mass (default: ${DEFAULT-VALUE}).")
    double topP;

    @Mixin
    DecodingOptions decoding;

    @Option(names = "--json", description = "Print each answer as one JSON line (text, finish_reason, tokens) instead of streaming text.")
    boolean json;

    @Override
    public Integer call() throws IOException {
        GenerationParameters params = GenerationParameters.builder().maxNewTokens(decoding.maxNewTokens())
                .temperature(temperature).topP(topP).seed(decoding.seed()).build();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        boolean interactive = System.console() != null && !json;
        List<ChatMessage> conversation = new ArrayList<>();
        reset(conversation);
        ObjectMapper mapper = Json.mapper();
        try (LoadedChatModel loaded = modelOptions.load(err)) {
            if (interactive) {
                err.println("chatting with " + loaded.chat().info().id() + " (" + loaded.chat().info().engine() + "); /reset to start over, /exit to quit");
            }
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            while (true) {
                if (interactive) {
                    err.print("> ");
                    err.flush();
                }
                String line = in.readLine();
                if (line == null || line.strip().equals("/exit")) {
                    return 0;
                }
                String message = line.strip();
                if (message.isEmpty()) {
                    continue;
                }
                if (message.equals("/reset")) {
                    reset(conversation);
                    if (interactive) {
                        err.println("(conversation cleared)");
                    }
                    continue;
                }
                if (message.startsWith("/")) {
                    throw new KefuException(ErrorCode.INVALID_ARGUMENT, "unknown chat command '" + message
                            + "'; the commands are /reset and /exit");
                }
                conversation.add(ChatMessage.user(line));
                ChatRequest request = ChatRequest.builder().messages(conversation).parameters(params).build();
                ChatResponse answer = json ? loaded.chat().chat(request) : streamTo(out, loaded, request);
                if (json) {
                    ObjectNode node = mapper.createObjectNode();
                    node.put("text", answer.text());
                    node.put("finish_reason", answer.finishReason().wireName());
                    node.put("prompt_tokens", answer.usage().promptTokens());
                    node.put("completion_tokens", answer.usage().completionTokens());
                    out.println(mapper.writeValueAsString(node));
                    out.flush();
                }
                conversation.add(ChatMessage.assistant(answer.text()));
            }
        }
    }

    private void reset(List<ChatMessage> conversation) {
        conversation.clear();
        if (system != null && !system.isBlank()) {
            conversation.add(ChatMessage.system(system));
        }
    }

    /** Prints the answer's text as it arrives; the stream's chunks never split a character. */
    private static ChatResponse streamTo(PrintWriter out, LoadedChatModel loaded, ChatRequest request) {
        try (ChatStream stream = loaded.chat().stream(request)) {
            for (ChatChunk chunk : stream) {
                out.print(chunk.text());
                out.flush();
            }
            out.println();
            out.flush();
            return stream.response();
        }
    }
}
