package io.kefu.runtime.template;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.interpret.Context;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.tree.Node;
import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.chat.ChatMessage;
import io.kefu.chat.ChatTemplate;
import io.kefu.runtime.tokenize.TokenizerConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A Hugging Face {@code chat_template} rendered exactly as transformers'
 * {@code apply_chat_template} renders it with jinja2 (trim_blocks, lstrip_blocks, loop controls,
 * {@code raise_exception}, {@code tojson}, {@code strftime_now}, {@code namespace}, slices, Python
 * string methods), on Jinjava with a compatibility layer.
 *
 * <p>Message text is data, never template code: a customer who types <code>{{ 7 * 7 }}</code>
 * gets exactly that text in the prompt.
 *
 * <p>Known differences from jinja2, none of which the templates of Llama 3/3.1, Qwen 2.5 and Qwen 3 touch
 * (Jinjava has one null for both None and undefined): a bare <code>{{ none }}</code> prints
 * nothing where jinja2 prints {@code None} (inside lists and dicts it prints as in Python);
 * {@code none|default(x)} gives {@code x}; a variable passed as None is not {@code defined};
 * tuples print as lists; {@code %} of a negative number keeps the sign of the dividend.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class HfChatTemplate implements ChatTemplate {
    private static final Jinjava JINJAVA = JinjaEnvironment.create();
    /**
     * Filters, functions and tags: the parent of every render's context. Copying them for each
     * render (as Jinjava does) costs more than a small render; a render's context reports what it
     * resolved to its parents, so each thread keeps its own copy and clears that after a render.
     */
    private static final ThreadLocal<Context> GLOBALS = ThreadLocal.withInitial(JINJAVA::getGlobalContextCopy);
    private static final String SENTINEL = "kefu-sentinel-";

    private final String source;
    private final String rewritten;
    private final Map<String, String> specialTokens;
    private final List<String> knownSpecialTokens;
    private final Clock clock;
    private final String origin;
    private final Node root;
    private volatile String endOfTurn;

    private HfChatTemplate(String source, Map<String, String> specialTokens, Collection<String> knownSpecialTokens,
                           Clock clock, String origin) {
        this.source = Objects.requireNonNull(source, "source");
        this.rewritten = TemplateSourceRewriter.rewrite(source);
        this.specialTokens = Map.copyOf(specialTokens);
        List<String> known = new ArrayList<>(knownSpecialTokens);
        known.addAll(specialTokens.values());
        known.sort(Comparator.comparingInt(String::length).reversed());
        this.knownSpecialTokens = List.copyOf(known);
        this.clock = clock;
        this.origin = origin;
        this.root = parse();
    }

    /**
     * Reads the template and special tokens of a model folder: {@code chat_template.jinja} if
     * present, else {@code tokenizer_config.json}'s {@code chat_template} (a string, or the one
     * named {@code default}), and its {@code bos_token}, {@code eos_token} and other special tokens.
     *
     * @throws KefuException {@link ErrorCode#NOT_FOUND} without tokenizer_config.json,
     *     {@link ErrorCode#INVALID_CHECKPOINT} when it has no chat template or it is malformed
     */
    public static HfChatTemplate fromModelDir(Path dir) {
        TokenizerConfig config = TokenizerConfig.read(dir);
        if (config.chatTemplate() == null) {
            throw new KefuException(ErrorCode.INVALID_CHECKPOINT, config.file()
                    + ": no chat_template (and no chat_template.jinja beside it); a chat model needs one");
        }
        return new HfChatTemplate(config.chatTemplate(), config.specialTokens(), config.addedSpecialTokens(),
                Clock.systemDefaultZone(), config.file().toString());
    }

    /**
     * A template from its Jinja source.
     *
     * @param bosToken the {@code bos_token} variable, or null when the model has none
     * @param eosToken the {@code eos_token} variable, or null when the model has none
     * @throws KefuException {@link ErrorCode#INVALID_CHECKPOINT} when the source does not parse
     */
    public static HfChatTemplate of(String source, String bosToken, String eosToken) {
        Map<String, String> tokens = new HashMap<>();
        if (bosToken != null) {
            tokens.put("bos_token", bosToken);
        }
        if (eosToken != null) {
            tokens.put("eos_token", eosToken);
        }
        return new HfChatTemplate(source, tokens, List.of(), Clock.systemDefaultZone(), "chat template");
    }

    /** @return this template with {@code strftime_now} reading the given clock (default: the system clock) */
    public HfChatTemplate withClock(Clock clock) {
        return new HfChatTemplate(source, specialTokens, knownSpecialTokens, Objects.requireNonNull(clock, "clock"), origin);
    }

    /** Parses once; the tree is reused by every render (each render gets its own interpreter and context). */
    private Node parse() {
        JinjavaInterpreter interpreter = JINJAVA.newInterpreter();
        JinjavaInterpreter.pushCurrent(interpreter);
        try {
            Node tree = interpreter.parse(rewritten);
            for (TemplateError error : interpreter.getErrorsCopy()) {
                if (error.getSeverity() == TemplateError.ErrorType.FATAL) {
                    throw new KefuException(ErrorCode.INVALID_CHECKPOINT,
                            origin + ": chat template line " + error.getLineno() + ": " + error.getMessage());
                }
            }
            return tree;
        } finally {
            JinjavaInterpreter.popCurrent();
        }
    }

    @Override
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt, Map<String, Object> variables) {
        List<Map<String, Object>> dicts = new ArrayList<>(messages.size());
        for (ChatMessage message : messages) {
            Map<String, Object> dict = new LinkedHashMap<>();
            dict.put("role", message.role().wireName());
            dict.put("content", message.content());
            dicts.add(dict);
        }
        return renderMessages(dicts, addGenerationPrompt, variables);
    }

    /**
     * Renders messages given as dicts, as transformers receives them: use this for fields beyond
     * role and content ({@code tool_calls}, {@code reasoning_content}, content as a list of parts).
     *
     * @param messages each a map with at least {@code role}; values are strings, numbers,
     *     booleans, null, lists and maps
     * @param variables extra template variables (keyword arguments of {@code apply_chat_template},
     *     such as {@code tools}, {@code enable_thinking}, {@code date_string}); they override the defaults
     * @throws KefuException {@link ErrorCode#INVALID_REQUEST} when the template rejects the
     *     conversation ({@code raise_exception}) or fails on it
     */
    public String renderMessages(List<? extends Map<String, ?>> messages, boolean addGenerationPrompt,
                                 Map<String, ?> variables) {
        Map<String, Object> bindings = new HashMap<>(specialTokens);
        bindings.put("messages", messages);
        bindings.put("tools", null);
        bindings.put("documents", null);
        bindings.put("add_generation_prompt", addGenerationPrompt);
        bindings.putAll(variables);
        bindings.put(JinjaEnvironment.CLOCK_KEY, clock);
        JinjavaConfig config = JINJAVA.getGlobalConfig();
        Context globals = GLOBALS.get();
        Context context = new Context(globals, bindings, config.getDisabled());
        JinjavaInterpreter interpreter = config.getInterpreterFactory().newInstance(JINJAVA, context, config);
        JinjavaInterpreter.pushCurrent(interpreter);
        try {
            String output = interpreter.render(root);
            for (TemplateError error : interpreter.getErrorsCopy()) {
                if (error.getSeverity() == TemplateError.ErrorType.FATAL) {
                    throw failure(error.getException(), "line " + error.getLineno() + ": " + error.getMessage());
                }
            }
            return output;
        } catch (KefuException e) {
            throw e;
        } catch (RuntimeException e) {
            throw failure(e, e.getMessage());
        } finally {
            JinjavaInterpreter.popCurrent();
            globals.reset();
        }
    }

    private KefuException failure(Throwable exception, String message) {
        for (Throwable cause = exception; cause != null; cause = cause.getCause()) {
            if (cause instanceof JinjaEnvironment.TemplateRaisedException raised) {
                return new KefuException(ErrorCode.INVALID_REQUEST,
                        "the chat template rejected the conversation: " + raised.getMessage());
            }
        }
        return new KefuException(ErrorCode.INVALID_REQUEST, origin + ": chat template failed: " + message, exception);
    }

    /**
     * The text that closes an assistant turn, found by rendering a two-round conversation with
     * sentinel texts: the longest common start of what follows an answer that is followed by a
     * user turn and of what follows the final answer, without surrounding whitespace. When that
     * starts with a known special token, the token alone (a template that opens the next header
     * right after the end of turn would otherwise leave part of the header in it). Falls back to
     * {@code eos_token} when the template adds nothing after an answer.
     *
     * @throws KefuException {@link ErrorCode#UNSUPPORTED} when neither gives a marker
     */
    @Override
    public String endOfTurn() {
        String found = endOfTurn;
        if (found == null) {
            found = findEndOfTurn();
            endOfTurn = found;
        }
        return found;
    }

    private String findEndOfTurn() {
        List<List<ChatMessage>> shapes = List.of(
                List.of(ChatMessage.user(SENTINEL + "q1"), ChatMessage.assistant(SENTINEL + "a1"),
                        ChatMessage.user(SENTINEL + "q2"), ChatMessage.assistant(SENTINEL + "a2")),
                List.of(ChatMessage.system(SENTINEL + "s"), ChatMessage.user(SENTINEL + "q1"),
                        ChatMessage.assistant(SENTINEL + "a1"), ChatMessage.user(SENTINEL + "q2"),
                        ChatMessage.assistant(SENTINEL + "a2")));
        for (List<ChatMessage> shape : shapes) {
            String text;
            try {
                text = render(shape, false);
            } catch (KefuException rejected) {
                continue;
            }
            int a1 = text.indexOf(SENTINEL + "a1");
            int q2 = text.indexOf(SENTINEL + "q2");
            int a2 = text.lastIndexOf(SENTINEL + "a2");
            if (a1 < 0 || q2 < a1 || a2 < q2) {
                continue;
            }
            String afterMiddle = text.substring(a1 + SENTINEL.length() + 2, q2);
            String afterLast = text.substring(a2 + SENTINEL.length() + 2);
            String common = PythonStrings.strip(commonPrefix(afterMiddle, afterLast), null, true, true);
            for (String token : knownSpecialTokens) {
                if (!token.isEmpty() && common.startsWith(token)) {
                    return token;
                }
            }
            if (!common.isEmpty()) {
                return common;
            }
        }
        return eosToken().orElseThrow(() -> new KefuException(ErrorCode.UNSUPPORTED,
                origin + ": cannot tell how this chat template ends an assistant turn and there is no eos_token"));
    }

    private static String commonPrefix(String a, String b) {
        int n = 0;
        while (n < a.length() && n < b.length() && a.charAt(n) == b.charAt(n)) {
            n++;
        }
        return a.substring(0, n);
    }

    @Override
    public String source() {
        return source;
    }

    /** @return the {@code bos_token} given to the template, if any */
    public Optional<String> bosToken() {
        return Optional.ofNullable(specialTokens.get("bos_token"));
    }

    /** @return the {@code eos_token} given to the template, if any */
    public Optional<String> eosToken() {
        return Optional.ofNullable(specialTokens.get("eos_token"));
    }

    @Override
    public String toString() {
        return "HfChatTemplate[" + origin + "]";
    }
}
