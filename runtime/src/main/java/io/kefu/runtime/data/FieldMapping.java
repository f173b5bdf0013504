package io.kefu.runtime.data;

import com.fasterxml.jackson.databind.JsonNode;
import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.runtime.format.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Which source field holds which part of a record, and which role names mean user, assistant,
 * system and tool. It plays the part of the {@code columns} and {@code tags} of a LLaMA-Factory
 * {@code dataset_info.json} entry, which {@link #fromJson(Path)} reads.
 *
 * <p>Defaults ({@link #defaults()}):
 * <ul>
 *   <li>Alpaca columns {@code instruction}, {@code input}, {@code output}, {@code system},
 *       {@code history};</li>
 *   <li>conversation column: {@code messages}, else {@code conversations};</li>
 *   <li>role key {@code role}, else {@code from}; content key {@code content}, else {@code value}
 *       (chosen per message);</li>
 *   <li>user roles {@code user}, {@code human}; assistant roles {@code assistant}, {@code gpt};
 *       system role {@code system}; tool roles {@code tool}, {@code observation};</li>
 *   <li>label columns {@code intent}, {@code strategy}, {@code rejected};</li>
 *   <li>preference column {@code chosen}: with it a record gives its answer as {@code chosen} beside
 *       {@code rejected} (LLaMA-Factory's ranking data, TRL's preference data).</li>
 * </ul>
 * Every field not mapped is kept as metadata.
 *
 * <p>Why one long class: it mirrors LLaMA-Factory's {@code dataset_info.json} entry one option at a
 * time, and each option needs its reading, validation and located error message.
 */
public final class FieldMapping {
    private static final FieldMapping DEFAULTS = builder().build();

    private final String instruction;
    private final String input;
    private final String output;
    private final String system;
    private final String history;
    private final List<String> messages;
    private final List<String> roleKeys;
    private final List<String> contentKeys;
    private final List<String> userTags;
    private final List<String> assistantTags;
    private final List<String> systemTags;
    private final List<String> toolTags;
    private final String intent;
    private final String strategy;
    private final String rejected;
    private final String chosen;

    private FieldMapping(Builder b) {
        instruction = b.instruction;
        input = b.input;
        output = b.output;
        system = b.system;
        history = b.history;
        messages = List.copyOf(b.messages);
        roleKeys = List.copyOf(b.roleKeys);
        contentKeys = List.copyOf(b.contentKeys);
        userTags = List.copyOf(b.userTags);
        assistantTags = List.copyOf(b.assistantTags);
        systemTags = List.copyOf(b.systemTags);
        toolTags = List.copyOf(b.toolTags);
        intent = b.intent;
        strategy = b.strategy;
        rejected = b.rejected;
        chosen = b.chosen;
    }

    /** @return the default mapping described in the class comment */
    public static FieldMapping defaults() {
        return DEFAULTS;
    }

    /** @return a builder starting from the defaults */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the Alpaca instruction column (LLaMA-Factory: {@code prompt}) */
    public String instruction() {
        return instruction;
    }

    /** @return the Alpaca input column (LLaMA-Factory: {@code query}) */
    public String input() {
        return input;
    }

    /** @return the Alpaca output column (LLaMA-Factory: {@code response}) */
    public String output() {
        return output;
    }

    /** @return the system prompt column (Alpaca, and ShareGPT/OpenAI records without a system message) */
    public String system() {
        return system;
    }

    /** @return the Alpaca history column: {@code [[question, answer], ...]} */
    public String history() {
        return history;
    }

    /** @return the conversation columns, tried in order */
    public List<String> messages() {
        return messages;
    }

    /** @return the keys that hold a message's role, tried in order */
    public List<String> roleKeys() {
        return roleKeys;
    }

    /** @return the keys that hold a message's text, tried in order */
    public List<String> contentKeys() {
        return contentKeys;
    }

    /** @return role names meaning the customer */
    public List<String> userTags() {
        return userTags;
    }

    /** @return role names meaning the model */
    public List<String> assistantTags() {
        return assistantTags;
    }

    /** @return role names meaning the system prompt */
    public List<String> systemTags() {
        return systemTags;
    }

    /** @return role names meaning a tool result */
    public List<String> toolTags() {
        return toolTags;
    }

    /** @return the intent column */
    public String intent() {
        return intent;
    }

    /** @return the strategy column */
    public String strategy() {
        return strategy;
    }

    /** @return the rejected-answer column */
    public String rejected() {
        return rejected;
    }

    /** @return the chosen-answer column of preference records */
    public String chosen() {
        return chosen;
    }

    /** @return true if {@code name} is one of the columns this mapping reads (not metadata) */
    boolean isMapped(String name) {
        return name.equals(instruction) || name.equals(input) || name.equals(output) || name.equals(system)
                || name.equals(history) || messages.contains(name) || name.equals(intent)
                || name.equals(strategy) || name.equals(rejected) || name.equals(chosen);
    }

    /**
     * Reads a mapping from JSON: either {@code {"columns": {...}, "tags": {...}}} or one
     * LLaMA-Factory {@code dataset_info.json} entry (its {@code file_name}, {@code formatting},
     * {@code ranking} and similar keys are ignored).
     *
     * <p>Column keys: {@code prompt}/{@code instruction}, {@code query}/{@code input},
     * {@code response}/{@code output}, {@code system}, {@code history}, {@code messages},
     * {@code intent}, {@code strategy}, {@code chosen}, {@code rejected}. Tag keys: {@code role_tag},
     * {@code content_tag}, {@code user_tag}, {@code assistant_tag}, {@code system_tag},
     * {@code observation_tag}. Unset keys keep their defaults.
     *
     * @throws KefuException {@link ErrorCode#INVALID_CONFIG} naming an unknown or unsupported key,
     *     {@link ErrorCode#NOT_FOUND} if the file does not exist
     */
    public static FieldMapping fromJson(Path file) {
        JsonNode root;
        try {
            root = Json.mapper().readTree(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            throw new KefuException(ErrorCode.NOT_FOUND, file + ": field mapping file not found");
        } catch (IOException e) {
            throw new KefuException(ErrorCode.INVALID_CONFIG, file + ": not a valid JSON field mapping: " + e.getMessage(), e);
        }
        return fromJson(root, file.toString());
    }

    /**
     * Reads a mapping from parsed JSON, as {@link #fromJson(Path)} does.
     *
     * @param where names the source in error messages
     */
    public static FieldMapping fromJson(JsonNode root, String where) {
        if (root == null || !root.isObject()) {
            throw new KefuException(ErrorCode.INVALID_CONFIG, where + ": a field mapping must be a JSON object with \"columns\" and/or \"tags\"");
        }
        Builder b = builder();
        JsonNode columns = root.path("columns");
        for (Map.Entry<String, JsonNode> e : columns.properties()) {
            String value = text(e.getValue(), where, "columns." + e.getKey());
            switch (e.getKey()) {
                case "prompt", "instruction" -> b.instruction(value);
                case "query", "input" -> b.input(value);
                case "response", "output" -> b.output(value);
                case "system" -> b.system(value);
                case "history" -> b.history(value);
                case "messages" -> b.messages(value);
                case "intent" -> b.intent(value);
                case "strategy" -> b.strategy(value);
                case "rejected" -> b.rejected(value);
                case "chosen" -> b.chosen(value);
                case "tools", "images", "videos", "audios", "kto_tag" -> throw new KefuException(ErrorCode.INVALID_CONFIG,
                        where + ": columns." + e.getKey() + ": not supported (text dialogs only)");
                default -> throw new KefuException(ErrorCode.INVALID_CONFIG, where + ": columns." + e.getKey()
                        + ": unknown column; expected prompt, query, response, system, history, messages, intent, strategy, chosen or rejected");
            }
        }
        JsonNode tags = root.path("tags");
        for (Map.Entry<String, JsonNode> e : tags.properties()) {
            String value = text(e.getValue(), where, "tags." + e.getKey());
            switch (e.getKey()) {
                case "role_tag" -> b.roleKey(value);
                case "content_tag" -> b.contentKey(value);
                case "user_tag" -> b.userTags(value);
                case "assistant_tag" -> b.assistantTags(value);
                case "system_tag" -> b.systemTags(value);
                case "observation_tag" -> b.toolTags(value);
                case "function_tag", "chosen_tag", "rejected_tag" -> throw new KefuException(ErrorCode.INVALID_CONFIG,
                        where + ": tags." + e.getKey() + ": not supported (no function-call or ranked ShareGPT messages)");
                default -> throw new KefuException(ErrorCode.INVALID_CONFIG, where + ": tags." + e.getKey()
                        + ": unknown tag; expected role_tag, content_tag, user_tag, assistant_tag, system_tag or observation_tag");
            }
        }
        return b.build();
    }

    private static String text(JsonNode node, String where, String key) {
        if (!node.isTextual() || node.asText().isBlank()) {
            throw new KefuException(ErrorCode.INVALID_CONFIG, where + ": " + key + ": expected a non-empty string, found " + node);
        }
        return node.asText();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FieldMapping m && instruction.equals(m.instruction) && input.equals(m.input)
                && output.equals(m.output) && system.equals(m.system) && history.equals(m.history)
                && messages.equals(m.messages) && roleKeys.equals(m.roleKeys) && contentKeys.equals(m.contentKeys)
                && userTags.equals(m.userTags) && assistantTags.equals(m.assistantTags)
                && systemTags.equals(m.systemTags) && toolTags.equals(m.toolTags) && intent.equals(m.intent)
                && strategy.equals(m.strategy) && rejected.equals(m.rejected) && chosen.equals(m.chosen);
    }

    @Override
    public int hashCode() {
        return Objects.hash(instruction, input, output, system, history, messages, roleKeys, contentKeys,
                userTags, assistantTags, systemTags, toolTags, intent, strategy, rejected, chosen);
    }

    @Override
    public String toString() {
        return "FieldMapping[instruction=" + instruction + ", input=" + input + ", output=" + output
                + ", system=" + system + ", history=" + history + ", messages=" + messages + ", roleKeys=" + roleKeys
                + ", contentKeys=" + contentKeys + ", user=" + userTags + ", assistant=" + assistantTags
                + ", system=" + systemTags + ", tool=" + toolTags + ", intent=" + intent + ", strategy=" + strategy
                + ", rejected=" + rejected + ", chosen=" + chosen + "]";
    }

    /** Builds a {@link FieldMapping}; every setter replaces the default named in the class comment. */
    public static final class Builder {
        private String instruction = "instruction";
        private String input = "input";
        private String output = "output";
        private String system = "system";
        private String history = "history";
        private List<String> messages = List.of("messages", "conversations");
        private List<String> roleKeys = List.of("role", "from");
        private List<String> contentKeys = List.of("content", "value");
        private List<String> userTags = List.of("user", "human");
        private List<String> assistantTags = List.of("assistant", "gpt");
        private List<String> systemTags = List.of("system");
        private List<String> toolTags = List.of("tool", "observation");
        private String intent = "intent";
        private String strategy = "strategy";
        private String rejected = "rejected";
        private String chosen = "chosen";

        private Builder() {
        }

        /** @param column Alpaca instruction column; default {@code instruction} */
        public Builder instruction(String column) {
            instruction = column;
            return this;
        }

        /** @param column Alpaca input column; default {@code input} */
        public Builder input(String column) {
            input = column;
            return this;
        }

        /** @param column Alpaca output column; default {@code output} */
        public Builder output(String column) {
            output = column;
            return this;
        }

        /** @param column system prompt column; default {@code system} */
        public Builder system(String column) {
            system = column;
            return this;
        }

        /** @param column Alpaca history column; default {@code history} */
        public Builder history(String column) {
            history = column;
            return this;
        }

        /** @param column the conversation column; default {@code messages}, else {@code conversations} */
        public Builder messages(String column) {
            messages = List.of(column);
            return this;
        }

        /** @param key the key of a message's role; default {@code role}, else {@code from} */
        public Builder roleKey(String key) {
            roleKeys = List.of(key);
            return this;
        }

        /** @param key the key of a message's text; default {@code content}, else {@code value} */
        public Builder contentKey(String key) {
            contentKeys = List.of(key);
            return this;
        }

        /** @param tags role names meaning the customer; default {@code user}, {@code human} */
        public Builder userTags(String... tags) {
            userTags = List.of(tags);
            return this;
        }

        /** @param tags role names meaning the model; default {@code assistant}, {@code gpt} */
        public Builder assistantTags(String... tags) {
            assistantTags = List.of(tags);
            return this;
        }

        /** @param tags role names meaning the system prompt; default {@code system} */
        public Builder systemTags(String... tags) {
            systemTags = List.of(tags);
            return this;
        }

        /** @param tags role names meaning a tool result; default {@code tool}, {@code observation} */
        public Builder toolTags(String... tags) {
            toolTags = List.of(tags);
            return this;
        }

        /** @param column the intent column; default {@code intent} */
        public Builder intent(String column) {
            intent = column;
            return this;
        }

        /** @param column the strategy column; default {@code strategy} */
        public Builder strategy(String column) {
            strategy = column;
            return this;
        }

        /** @param column the rejected-answer column; default {@code rejected} */
        public Builder rejected(String column) {
            rejected = column;
            return this;
        }

        /** @param column the chosen-answer column of preference records; default {@code chosen} */
        public Builder chosen(String column) {
            chosen = column;
            return this;
        }

        /**
         * @return the mapping
         * @throws KefuException {@link ErrorCode#INVALID_CONFIG} if a name is blank, a role name
         *     means two roles, or two parts share one column
         */
        public FieldMapping build() {
            List<String> columns = new ArrayList<>(List.of(
                    check(instruction, "instruction"), check(input, "input"), check(output, "output"),
                    check(system, "system"), check(history, "history"), check(intent, "intent"),
                    check(strategy, "strategy"), check(rejected, "rejected"), check(chosen, "chosen")));
            for (String m : messages) {
                columns.add(check(m, "messages"));
            }
            Set<String> seen = new HashSet<>();
            for (String c : columns) {
                if (!seen.add(c)) {
                    throw new KefuException(ErrorCode.INVALID_CONFIG, "field mapping: column '" + c + "' is mapped to two parts");
                }
            }
            roleKeys.forEach(k -> check(k, "role key"));
            contentKeys.forEach(k -> check(k, "content key"));
            Set<String> tags = new HashSet<>();
            for (List<String> group : List.of(userTags, assistantTags, systemTags, toolTags)) {
                for (String tag : group) {
                    if (!tags.add(check(tag, "role tag"))) {
                        throw new KefuException(ErrorCode.INVALID_CONFIG, "field mapping: role name '" + tag + "' is given to two roles");
                    }
                }
            }
            return new FieldMapping(this);
        }

        private static String check(String name, String what) {
            if (name == null || name.isBlank()) {
                throw new KefuException(ErrorCode.INVALID_CONFIG, "field mapping: " + what + " must be a non-empty name");
            }
            return name;
        }
    }
}
