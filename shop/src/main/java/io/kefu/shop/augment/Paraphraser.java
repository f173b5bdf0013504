package io.kefu.shop.augment;

import io.kefu.chat.ChatMessage;
import io.kefu.chat.ChatModel;
import io.kefu.chat.ChatRequest;
import io.kefu.chat.ChatResponse;
import io.kefu.chat.GenerationParameters;
import io.kefu.shop.BannedClaims;
import io.kefu.shop.ShopDialog;
import io.kefu.data.Provenance;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Asks any {@link ChatModel} to reword customer questions, and keeps only rewordings that pass
 * checks: not empty, not the same question, one line of at most {@code maxLength} characters, no
 * banned absolute claim, and exactly the same numbers as the original (a height or a size must
 * survive). Everything else is rejected and counted by {@link Rejection}. Facts and answers are
 * never touched.
 */
public final class Paraphraser {
    /** The provenance method of paraphrased dialogs. */
    public static final String METHOD = "paraphrase";
    /** The instruction the model gets as its system message. */
    public static final String INSTRUCTION = "把顾客的问题换一种说法,意思和其中的数字、颜色、尺码都不变。只输出改写后的一句话。";

    private static final Pattern NUMBER = Pattern.compile("\\d+");
    private static final Pattern WRAPPING_QUOTES = Pattern.compile("^[\"'“”‘’「」『』]+|[\"'“”‘’「」『』]+$");

    /** Why a rewording was rejected. */
    public enum Rejection {
        /** The model returned nothing (or only quotes and spaces). */
        EMPTY,
        /** The same as the original question, ignoring spaces and punctuation. */
        IDENTICAL,
        /** Longer than the limit, or more than one line. */
        TOO_LONG,
        /** Contains a banned absolute claim. */
        BANNED_CLAIM,
        /** Its numbers differ from the original's. */
        NUMBERS_CHANGED
    }

    /**
     * What came out.
     *
     * @param accepted the paraphrased dialogs, in input order
     * @param rejected how many rewordings were rejected, per reason (every reason present, 0 when none)
     */
    public record Result(List<ShopDialog> accepted, Map<Rejection, Integer> rejected) {
        /** Copies the collections. */
        public Result {
            accepted = List.copyOf(accepted);
            rejected = Collections.unmodifiableMap(new EnumMap<>(rejected));
        }

        /** @return the number of rejected rewordings */
        public int rejectedTotal() {
            return rejected.values().stream().mapToInt(Integer::intValue).sum();
        }
    }

    private final ChatModel model;
    private final int maxLength;
    private final List<String> banned;
    private final GenerationParameters parameters;

    /**
     * @param model the model that rewords (any engine, a remote API adapter, a rules model ...)
     * @param maxLength the longest accepted rewording in characters (at least 1)
     * @param banned the banned claims (e.g. {@link BannedClaims#DEFAULT})
     * @param parameters generation parameters of the rewording requests (e.g. sampled with a seed)
     */
    public Paraphraser(ChatModel model, int maxLength, List<String> banned, GenerationParameters parameters) {
        this.model = Objects.requireNonNull(model, "model");
        if (maxLength < 1) {
            throw new io.kefu.KefuException(io.kefu.ErrorCode.INVALID_ARGUMENT, "maxLength=" + maxLength + ": must be at least 1");
        }
        this.maxLength = maxLength;
        this.banned = List.copyOf(banned);
        this.parameters = Objects.requireNonNull(parameters, "parameters");
    }

    /** A paraphraser with a 60-character limit, the default banned claims and greedy decoding of up to 64 tokens. */
    public static Paraphraser of(ChatModel model) {
        return new Paraphraser(model, 60, BannedClaims.DEFAULT, GenerationParameters.builder().maxNewTokens(64).build());
    }

    /**
     * Rewords every dialog's question in one batch ({@link ChatModel#chatBatch(List)}).
     *
     * @return accepted dialogs (ids {@code <source id>~para}, provenance {@code paraphrase(<source id>)}
     *     with the model id as detail) and counts of rejections
     */
    public Result paraphrase(List<ShopDialog> dialogs) {
        List<ChatRequest> requests = new ArrayList<>(dialogs.size());
        for (ShopDialog dialog : dialogs) {
            requests.add(ChatRequest.builder()
                    .messages(List.of(ChatMessage.system(INSTRUCTION), ChatMessage.user(dialog.instruction())))
                    .parameters(parameters)
                    .build());
        }
        List<ChatResponse> responses = requests.isEmpty() ? List.of() : model.chatBatch(requests);
        if (responses.size() != requests.size()) {
            throw new io.kefu.KefuException(io.kefu.ErrorCode.ENGINE_FAILURE, "model " + model.info().id() + " answered "
                    + responses.size() + " of " + requests.size() + " paraphrasing requests");
        }
        Map<Rejection, Integer> rejected = new EnumMap<>(Rejection.class);
        for (Rejection reason : Rejection.values()) {
            rejected.put(reason, 0);
        }
        List<ShopDialog> accepted = new ArrayList<>();
        String detail = "model=" + model.info().id();
        for (int i = 0; i < dialogs.size(); i++) {
            ShopDialog dialog = dialogs.get(i);
            String candidate = clean(responses.get(i).text());
            Rejection reason = check(dialog.instruction(), candidate);
            if (reason != null) {
                rejected.merge(reason, 1, Integer::sum);
            } else {
                accepted.add(dialog.withInstruction(dialog.id() + "~para", candidate, new Provenance(METHOD, dialog.id(), 0, detail)));
            }
        }
        return new Result(accepted, rejected);
    }

    private static String clean(String text) {
        return WRAPPING_QUOTES.matcher(text.strip()).replaceAll("").strip();
    }

    /** @return why {@code candidate} is not an acceptable rewording of {@code original}, or null when it is */
    Rejection check(String original, String candidate) {
        if (candidate.isEmpty()) {
            return Rejection.EMPTY;
        }
        if (normalise(candidate).equals(normalise(original))) {
            return Rejection.IDENTICAL;
        }
        if (candidate.length() > maxLength || candidate.contains("\n")) {
            return Rejection.TOO_LONG;
        }
        if (BannedClaims.find(candidate, banned).isPresent()) {
            return Rejection.BANNED_CLAIM;
        }
        if (!numbers(candidate).equals(numbers(original))) {
            return Rejection.NUMBERS_CHANGED;
        }
        return null;
    }

    private static String normalise(String text) {
        return text.replaceAll("[\\s\\p{P}~]", "");
    }

    private static List<String> numbers(String text) {
        List<String> out = new ArrayList<>();
        Matcher m = NUMBER.matcher(text);
        while (m.find()) {
            out.add(m.group());
        }
        Collections.sort(out);
        return out;
    }
}
