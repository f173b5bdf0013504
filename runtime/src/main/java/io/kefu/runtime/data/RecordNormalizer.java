package io.kefu.runtime.data;

import com.fasterxml.jackson.databind.JsonNode;
import io.kefu.chat.ChatMessage;
import io.kefu.chat.Role;
import io.kefu.data.Example;
import io.kefu.data.Provenance;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Interprets one parsed record as an {@link Example}: detects its shape, checks every field's
 * type, the order of roles and that there is an answer, and reports each problem with its field.
 *
 * <p>Alpaca's {@code instruction} and {@code input} become one user message, the non-empty ones
 * joined by a newline, as LLaMA-Factory does; {@code history} pairs become earlier turns and
 * {@code system} the system message. Fields that are not mapped are kept as metadata (JSON
 * {@code null} values are left out).
 *
 * <p>Preference records give the answer as {@code chosen} beside {@code rejected}: Alpaca fields with
 * {@code chosen}/{@code rejected} strings and ShareGPT or OpenAI conversations that end with the user,
 * with {@code chosen}/{@code rejected} messages (LLaMA-Factory's ranking data); TRL's
 * {@code prompt}/{@code chosen}/{@code rejected} as text or message lists, or {@code chosen}/{@code
 * rejected} whole conversations sharing their prompt (TRL's implicit prompt).
 *
 * <p>Why one long class: each record shape (Alpaca, OpenAI messages, ShareGPT) needs its own
 * field-by-field checks with located messages, and they share the role-order rules.
 */
final class RecordNormalizer {
    /** The outcome for one record: an example and its shape, or the problems found. */
    record Result(Example example, RecordShape shape, List<Problem> problems) {
        boolean ok() {
            return problems.isEmpty();
        }
    }

    /** TRL's prompt column of preference records. */
    static final String TRL_PROMPT = "prompt";

    private final FieldMapping mapping;
    private final String file;
    private final Map<String, Role> roles = new HashMap<>();
    private final String roleNames;

    RecordNormalizer(FieldMapping mapping, String file) {
        this.mapping = mapping;
        this.file = file;
        mapping.userTags().forEach(t -> roles.put(t, Role.USER));
        mapping.assistantTags().forEach(t -> roles.put(t, Role.ASSISTANT));
        mapping.systemTags().forEach(t -> roles.put(t, Role.SYSTEM));
        mapping.toolTags().forEach(t -> roles.put(t, Role.TOOL));
        List<String> names = new ArrayList<>();
        names.addAll(mapping.userTags());
        names.addAll(mapping.assistantTags());
        names.addAll(mapping.systemTags());
        names.addAll(mapping.toolTags());
        roleNames = String.join(", ", names);
    }

    Result normalize(JsonNode json, long line) {
        Problems problems = new Problems(file, line);
        if (!json.isObject()) {
            problems.add(Problem.RECORD, "expected a JSON object, found " + kind(json));
            return problems.result(null, null);
        }
        String conversationColumn = null;
        for (String column : mapping.messages()) {
            if (present(json, column)) {
                conversationColumn = column;
                break;
            }
        }
        boolean alpaca = present(json, mapping.instruction()) || present(json, mapping.output());
        boolean preference = present(json, mapping.chosen());
        if (preference && present(json, mapping.output())) {
            problems.add(mapping.output(), "a record with '" + mapping.chosen() + "' gives its answer there; leave '"
                    + mapping.output() + "' out");
            return problems.result(null, null);
        }
        if (preference && !present(json, mapping.rejected())) {
            problems.add(mapping.rejected(), "missing: a record with '" + mapping.chosen() + "' needs the rejected answer too");
            return problems.result(null, null);
        }
        if (preference && conversationColumn == null && !alpaca) {
            return trlPreference(json, line, problems);
        }
        if (conversationColumn != null && alpaca) {
            problems.add(Problem.RECORD, "has both '" + conversationColumn + "' and Alpaca fields '"
                    + mapping.instruction() + "'/'" + mapping.output() + "'; use one shape per record");
            return problems.result(null, null);
        }
        if (conversationColumn == null && !alpaca && !present(json, mapping.input())) {
            problems.add(Problem.RECORD, "not a recognised record: expected '" + mapping.instruction() + "' and '"
                    + mapping.output() + "' (Alpaca), 'messages' (OpenAI) or 'conversations' (ShareGPT); found "
                    + fieldList(json));
            return problems.result(null, null);
        }
        List<ChatMessage> messages = new ArrayList<>();
        RecordShape shape;
        String chosen = preference ? answer(json.get(mapping.chosen()), mapping.chosen(), problems) : null;
        if (conversationColumn == null) {
            shape = RecordShape.ALPACA;
            readAlpaca(json, messages, chosen, problems);
        } else {
            shape = readConversation(json, conversationColumn, messages, chosen, problems);
        }
        String rejected = rejected(json, problems);
        return finish(json, line, shape, messages, rejected, List.of(), problems);
    }

    private Result finish(JsonNode json, long line, RecordShape shape, List<ChatMessage> messages, String rejected,
                          List<String> alsoMapped, Problems problems) {
        String intent = optionalText(json, mapping.intent(), problems);
        String strategy = optionalText(json, mapping.strategy(), problems);
        if (!problems.isEmpty()) {
            return problems.result(null, shape);
        }
        Map<String, Object> metadata = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> field : json.properties()) {
            if (!mapping.isMapped(field.getKey()) && !alsoMapped.contains(field.getKey()) && !field.getValue().isNull()) {
                metadata.put(field.getKey(), JsonValues.toJava(field.getValue()));
            }
        }
        Example example = new Example(messages, intent, strategy, rejected, metadata, Provenance.file(file, line));
        return problems.result(example, shape);
    }

    /**
     * TRL's preference records: {@code prompt} as text or messages with {@code chosen}/{@code rejected}
     * as text or one-message lists, or, without a prompt, {@code chosen}/{@code rejected} whole
     * conversations that agree up to their last answer.
     */
    private Result trlPreference(JsonNode json, long line, Problems problems) {
        List<ChatMessage> messages = new ArrayList<>();
        String chosenColumn = mapping.chosen();
        String rejectedColumn = mapping.rejected();
        JsonNode prompt = json.get(TRL_PROMPT);
        String rejected;
        if (prompt != null && !prompt.isNull()) {
            String chosen = answer(json.get(chosenColumn), chosenColumn, problems);
            rejected = answer(json.get(rejectedColumn), rejectedColumn, problems);
            if (prompt.isTextual()) {
                String system = text(json, mapping.system(), problems, false);
                if (system != null && !system.isEmpty()) {
                    messages.add(ChatMessage.system(system));
                }
                if (prompt.asText().isBlank()) {
                    problems.add(TRL_PROMPT, "empty: the customer's question is missing");
                }
                messages.add(ChatMessage.user(prompt.asText()));
                messages.add(ChatMessage.assistant(chosen == null ? "" : chosen));
            } else {
                readConversation(json, TRL_PROMPT, messages, chosen, problems);
            }
        } else {
            JsonNode chosen = json.get(chosenColumn);
            JsonNode rejectedNode = json.get(rejectedColumn);
            if (!chosen.isArray() || !rejectedNode.isArray()) {
                problems.add(Problem.RECORD, "a preference record without '" + TRL_PROMPT + "' or '" + mapping.instruction()
                        + "' gives '" + chosenColumn + "' and '" + rejectedColumn + "' as whole conversations (message lists)");
                return problems.result(null, RecordShape.TRL_PREFERENCE);
            }
            readConversation(json, chosenColumn, messages, null, problems);
            rejected = null;
            if (problems.isEmpty()) {
                int last = chosen.size() - 1;
                boolean samePrompt = rejectedNode.size() == chosen.size();
                for (int i = 0; samePrompt && i < last; i++) {
                    samePrompt = rejectedNode.get(i).equals(chosen.get(i));
                }
                if (!samePrompt) {
                    problems.add(rejectedColumn, "must repeat the '" + chosenColumn + "' conversation up to its last answer "
                            + "(TRL's implicit prompt) and differ only there");
                } else {
                    rejected = answer(rejectedNode.get(last), rejectedColumn + "[" + last + "]", problems);
                }
            }
        }
        return finish(json, line, RecordShape.TRL_PREFERENCE, messages, rejected, List.of(TRL_PROMPT), problems);
    }

    /**
     * An answer given as text, as a message object, or as a list holding one assistant message.
     *
     * @return its text, or null when it is malformed (reported)
     */
    private String answer(JsonNode node, String field, Problems problems) {
        if (node.isArray()) {
            if (node.size() != 1) {
                problems.add(field, "expected one assistant message, found " + node.size() + " messages");
                return null;
            }
            node = node.get(0);
            field = field + "[0]";
        }
        String text;
        if (node.isObject()) {
            String roleKey = firstPresent(node, mapping.roleKeys());
            if (roleKey != null && (!node.get(roleKey).isTextual() || roles.get(node.get(roleKey).asText()) != Role.ASSISTANT)) {
                problems.add(field + "." + roleKey, "the answer must come from the assistant, found " + describe(node.get(roleKey)));
                return null;
            }
            String key = firstPresent(node, mapping.contentKeys());
            if (key == null) {
                problems.add(field, "expected a string or a message with " + String.join(" or ", mapping.contentKeys())
                        + ", found an object without it");
                return null;
            }
            text = content(node.get(key), field + "." + key, problems);
        } else if (node.isTextual()) {
            text = node.asText();
        } else {
            problems.add(field, "expected a string or a message, found " + kind(node));
            return null;
        }
        if (text != null && text.isBlank()) {
            problems.add(field, "empty: every answer must have text");
            return null;
        }
        return text;
    }

    /** @param chosen the answer of a preference record (then there is no output column), or null */
    private void readAlpaca(JsonNode json, List<ChatMessage> messages, String chosen, Problems problems) {
        String instruction = text(json, mapping.instruction(), problems, true);
        String input = text(json, mapping.input(), problems, false);
        String output = present(json, mapping.chosen()) ? chosen : text(json, mapping.output(), problems, true);
        String system = text(json, mapping.system(), problems, false);
        if (system != null && !system.isEmpty()) {
            messages.add(ChatMessage.system(system));
        }
        readHistory(json, messages, problems);
        List<String> query = new ArrayList<>(2);
        if (instruction != null && !instruction.isEmpty()) {
            query.add(instruction);
        }
        if (input != null && !input.isEmpty()) {
            query.add(input);
        }
        String question = String.join("\n", query);
        if (instruction != null && question.isBlank()) {
            problems.add(mapping.instruction(), "empty: the customer's question is missing");
        }
        if (output != null && output.isBlank()) {
            problems.add(mapping.output(), "empty: every example needs the answer to learn");
        }
        messages.add(ChatMessage.user(question));
        messages.add(ChatMessage.assistant(output == null ? "" : output));
    }

    private void readHistory(JsonNode json, List<ChatMessage> messages, Problems problems) {
        String column = mapping.history();
        JsonNode history = json.get(column);
        if (history == null || history.isNull()) {
            return;
        }
        if (!history.isArray()) {
            problems.add(column, "expected an array of [question, answer] pairs, found " + kind(history));
            return;
        }
        for (int i = 0; i < history.size(); i++) {
            JsonNode pair = history.get(i);
            String field = column + "[" + i + "]";
            if (!pair.isArray() || pair.size() != 2) {
                problems.add(field, "expected a [question, answer] pair, found " + describe(pair));
                continue;
            }
            for (int k = 0; k < 2; k++) {
                JsonNode part = pair.get(k);
                if (!part.isTextual()) {
                    problems.add(field + "[" + k + "]", "expected a string, found " + kind(part));
                } else if (part.asText().isBlank()) {
                    problems.add(field + "[" + k + "]", k == 0 ? "empty question" : "empty answer");
                }
            }
            messages.add(ChatMessage.user(pair.get(0).asText()));
            messages.add(ChatMessage.assistant(pair.get(1).asText()));
        }
    }

    /** @param chosen the answer of a preference record, whose conversation ends with the user; or null */
    private RecordShape readConversation(JsonNode json, String column, List<ChatMessage> messages, String chosen,
                                         Problems problems) {
        JsonNode list = json.get(column);
        RecordShape shape = column.equals("conversations") ? RecordShape.SHAREGPT : RecordShape.OPENAI;
        if (!list.isArray()) {
            problems.add(column, "expected an array of messages, found " + kind(list));
            return shape;
        }
        if (list.isEmpty()) {
            problems.add(column, "empty conversation: it needs a user message and the assistant answer");
            return shape;
        }
        List<Integer> sourceIndex = new ArrayList<>();
        String system = text(json, mapping.system(), problems, false);
        if (system != null && !system.isEmpty()) {
            messages.add(ChatMessage.system(system));
            sourceIndex.add(-1);
        }
        for (int i = 0; i < list.size(); i++) {
            JsonNode item = list.get(i);
            String field = column + "[" + i + "]";
            if (!item.isObject()) {
                problems.add(field, "expected an object with a role and content, found " + kind(item));
                continue;
            }
            String roleKey = firstPresent(item, mapping.roleKeys());
            String contentKey = firstPresent(item, mapping.contentKeys());
            if (i == 0 && roleKey != null) {
                shape = roleKey.equals("role") ? RecordShape.OPENAI : RecordShape.SHAREGPT;
            }
            if (roleKey == null) {
                problems.add(field, "missing the role (" + String.join(" or ", mapping.roleKeys()) + ")");
                continue;
            }
            JsonNode roleNode = item.get(roleKey);
            Role role = roleNode.isTextual() ? roles.get(roleNode.asText()) : null;
            if (role == null) {
                problems.add(field + "." + roleKey, (roleNode.isTextual() ? "unknown role '" + roleNode.asText() + "'"
                        : "expected a string, found " + kind(roleNode))
                        + "; expected one of " + roleNames + " (other names need a field mapping)");
                continue;
            }
            if (contentKey == null) {
                problems.add(field, "missing the text (" + String.join(" or ", mapping.contentKeys()) + ")");
                continue;
            }
            String content = content(item.get(contentKey), field + "." + contentKey, problems);
            if (content == null) {
                continue;
            }
            if (content.isBlank() && (role == Role.USER || role == Role.ASSISTANT)) {
                problems.add(field + "." + contentKey, role == Role.USER ? "empty user message"
                        : "empty assistant message: every answer must have text");
            }
            if (role == Role.SYSTEM && !messages.isEmpty() && sourceIndex.get(0) == -1) {
                problems.add(mapping.system(), "the conversation already starts with a system message ("
                        + field + "); give the system prompt once");
            }
            messages.add(new ChatMessage(role, content));
            sourceIndex.add(i);
        }
        if (chosen != null && problems.isEmpty()) {
            if (!messages.isEmpty() && messages.get(messages.size() - 1).role() == Role.ASSISTANT) {
                problems.add(column, "a preference record's conversation ends with the user; its answers are '"
                        + mapping.chosen() + "' and '" + mapping.rejected() + "'");
                return shape;
            }
            messages.add(ChatMessage.assistant(chosen));
            sourceIndex.add(list.size());
        }
        if (problems.isEmpty()) {
            checkRoleOrder(column, messages, sourceIndex, problems);
        }
        return shape;
    }

    /**
     * Roles must go {@code [system] user assistant (user assistant | tool... assistant)*}: the
     * conversation ends with the assistant. A misplaced system message is reported and then ignored
     * for the order of the other turns.
     */
    private void checkRoleOrder(String column, List<ChatMessage> messages, List<Integer> index, Problems problems) {
        Role previous = null;
        int previousIndex = -1;
        for (int i = 0; i < messages.size(); i++) {
            Role role = messages.get(i).role();
            String field = column + "[" + index.get(i) + "].role";
            String where = previousIndex >= 0 ? column + "[" + previousIndex + "]" : "the " + mapping.system() + " field";
            switch (role) {
                case SYSTEM -> {
                    if (i > 0) {
                        problems.add(field, "a system message may only come first");
                        continue;
                    }
                }
                case USER -> {
                    if (previous == Role.USER) {
                        problems.add(field, "two user messages in a row (" + where + " is also from the user); merge them or add the assistant's answer between them");
                    } else if (previous == Role.TOOL) {
                        problems.add(field, "a user message follows a tool result (" + where + "); the assistant must answer first");
                    }
                }
                case ASSISTANT -> {
                    if (previous == null || previous == Role.SYSTEM) {
                        problems.add(field, "the conversation must start with a user message, not the assistant");
                    } else if (previous == Role.ASSISTANT) {
                        problems.add(field, "two assistant messages in a row (" + where + " is also from the assistant); merge them or add the user's turn between them");
                    }
                }
                case TOOL -> {
                    if (previous != Role.ASSISTANT && previous != Role.TOOL) {
                        problems.add(field, "a tool result must follow an assistant message");
                    }
                }
            }
            previous = role;
            previousIndex = index.get(i);
        }
        if (previous != Role.ASSISTANT && previous != null) {
            String last = column + "[" + index.get(messages.size() - 1) + "]";
            problems.add(column, "the conversation ends with a " + previous.wireName() + " message (" + last
                    + "); it must end with the assistant answer to learn");
        }
    }

    private String rejected(JsonNode json, Problems problems) {
        JsonNode node = json.get(mapping.rejected());
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isArray()) {
            return answer(node, mapping.rejected(), problems);
        }
        if (node.isObject()) {
            String key = firstPresent(node, mapping.contentKeys());
            if (key == null) {
                problems.add(mapping.rejected(), "expected a string or a message with "
                        + String.join(" or ", mapping.contentKeys()) + ", found an object without it");
                return null;
            }
            return content(node.get(key), mapping.rejected() + "." + key, problems);
        }
        String text = text(json, mapping.rejected(), problems, false);
        if (text != null && text.isBlank()) {
            problems.add(mapping.rejected(), "empty: leave the field out when there is no rejected answer");
            return null;
        }
        return text;
    }

    /** Message text: a string, or an array of {@code {"type": "text", "text": ...}} parts (OpenAI). */
    private static String content(JsonNode node, String field, Problems problems) {
        if (node.isTextual()) {
            return node.asText();
        }
        if (node.isArray()) {
            StringBuilder text = new StringBuilder();
            for (int k = 0; k < node.size(); k++) {
                JsonNode part = node.get(k);
                if (!part.isObject() || !"text".equals(part.path("type").asText()) || !part.path("text").isTextual()) {
                    problems.add(field + "[" + k + "]", "only text parts ({\"type\": \"text\", \"text\": ...}) are supported, found "
                            + describe(part));
                    return null;
                }
                text.append(part.get("text").asText());
            }
            return text.toString();
        }
        problems.add(field, "expected a string, found " + kind(node));
        return null;
    }

    private static String optionalText(JsonNode json, String column, Problems problems) {
        String value = text(json, column, problems, false);
        if (value != null && value.isBlank()) {
            problems.add(column, "empty: leave the field out or give a name");
            return null;
        }
        return value;
    }

    /** @return the string value, null when absent (reported if required) or of the wrong type (reported) */
    private static String text(JsonNode json, String column, Problems problems, boolean required) {
        JsonNode node = json.get(column);
        if (node == null || node.isNull()) {
            if (required) {
                problems.add(column, "missing");
            }
            return null;
        }
        if (!node.isTextual()) {
            problems.add(column, "expected a string, found " + kind(node));
            return null;
        }
        return node.asText();
    }

    private static boolean present(JsonNode json, String column) {
        JsonNode node = json.get(column);
        return node != null && !node.isNull();
    }

    private static String firstPresent(JsonNode json, List<String> keys) {
        for (String key : keys) {
            if (json.has(key)) {
                return key;
            }
        }
        return null;
    }

    private static String fieldList(JsonNode json) {
        List<String> names = new ArrayList<>();
        json.fieldNames().forEachRemaining(names::add);
        if (names.isEmpty()) {
            return "an empty object";
        }
        String shown = String.join(", ", names.subList(0, Math.min(10, names.size())));
        return "fields " + shown + (names.size() > 10 ? " ..." : "");
    }

    static String kind(JsonNode node) {
        return switch (node.getNodeType()) {
            case OBJECT -> "an object";
            case ARRAY -> "an array";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL, MISSING -> "null";
            default -> node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
        };
    }

    private static String describe(JsonNode node) {
        String text = node.toString();
        return kind(node) + " " + (text.length() > 40 ? text.substring(0, 40) + "..." : text);
    }

    /** Collects the problems of one record. */
    private static final class Problems {
        private final String file;
        private final long line;
        private List<Problem> list = List.of();

        Problems(String file, long line) {
            this.file = file;
            this.line = line;
        }

        void add(String field, String reason) {
            if (list.isEmpty()) {
                list = new ArrayList<>(2);
            }
            list.add(new Problem(file, line, field, reason));
        }

        boolean isEmpty() {
            return list.isEmpty();
        }

        Result result(Example example, RecordShape shape) {
            return new Result(example, shape, list.isEmpty() ? List.of() : Collections.unmodifiableList(list));
        }
    }
}
