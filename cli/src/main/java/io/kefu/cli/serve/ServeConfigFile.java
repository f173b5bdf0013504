package io.kefu.cli.serve;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.shop.Persona;
import io.kefu.shop.policy.ComplianceRules;
import io.kefu.shop.policy.DeskHours;
import io.kefu.shop.policy.HandoffRules;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code kefu serve --config serve.yaml}: every flag of the command under its long name without the dashes
 * ({@code max-batch: 8}; a YAML list for a repeatable flag; a mapping for a flag of {@code key=value} pairs), plus
 * the settings that have no flag in three sections:
 * <pre>
 * assistant:
 *   persona: "你是{shop}的客服,..."     # the system message; {shop} is the shop's name
 *   history-turns: 6                    # earlier turns of a session put into the prompt
 * compliance:
 *   banned-claims:                      # added to the default list; a value is what is said instead
 *     最低价: 超值价
 *     绝无仅有: ~                        # no replacement: asked again, then the sentence is cut
 * handoff:
 *   keywords: [退货地址]                 # added to the defaults (举报, 虚假宣传, 投诉, refund disputes)
 *   desk-hours: "09:00-23:00"           # when people answer hand-offs
 *   desk-time-zone: Asia/Shanghai
 * </pre>
 * The flags are matched against the command's options as picocli knows them, so a flag added to the command is a key
 * of the file without more code; {@code ~} leaves a flag at its default, so the effective configuration the command
 * prints at start reads back as a file. Flags given on the command line override the file. An unknown key, a key given
 * twice or a value of the wrong shape is an error naming the key and {@code file:line}.
 */
final class ServeConfigFile {
    static final String ASSISTANT = "assistant";
    static final String COMPLIANCE = "compliance";
    static final String HANDOFF = "handoff";
    private static final List<String> SECTIONS = List.of(ASSISTANT, COMPLIANCE, HANDOFF);
    private static final List<String> ASSISTANT_KEYS = List.of("persona", "history-turns");
    private static final List<String> COMPLIANCE_KEYS = List.of("banned-claims");
    private static final List<String> HANDOFF_KEYS = List.of("keywords", "desk-hours", "desk-time-zone");
    private static final int DEFAULT_HISTORY_TURNS = 10;

    private final Path file;
    /** Option, by its longest name ({@code --max-batch}), to the file's values. */
    private final Map<String, Setting> flags;
    private final Persona persona;
    private final Integer historyTurns;
    private final ComplianceRules compliance;
    private final HandoffRules handoff;
    private final java.util.Set<String> passedAsArguments = new java.util.HashSet<>();

    /**
     * A flag's values as the file gives them.
     *
     * @param repeatable whether the option takes several values
     * @param line the line of its key
     */
    record Setting(List<String> values, boolean repeatable, int line) {
    }

    private ServeConfigFile(Path file, Map<String, Setting> flags, Persona persona, Integer historyTurns, ComplianceRules compliance,
                            HandoffRules handoff) {
        this.file = file;
        this.flags = flags;
        this.persona = persona;
        this.historyTurns = historyTurns;
        this.compliance = compliance;
        this.handoff = handoff;
    }

    /** The settings of a server started without a file. */
    static ServeConfigFile none() {
        return new ServeConfigFile(null, Map.of(), Persona.DEFAULT, null, ComplianceRules.defaults(), HandoffRules.defaults());
    }

    /**
     * Reads and checks a file against the options of {@code command}.
     *
     * @throws KefuException {@link ErrorCode#NOT_FOUND} when it does not exist, {@link ErrorCode#INVALID_CONFIG}
     *     naming {@code file:line} and the key otherwise
     */
    static ServeConfigFile load(Path file, CommandSpec command) {
        Node root;
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            LoadSettings settings = LoadSettings.builder().setLabel(file.toString()).setAllowDuplicateKeys(true).build();
            root = new Compose(settings).composeReader(reader).orElse(null);
        } catch (NoSuchFileException e) {
            throw new KefuException(ErrorCode.NOT_FOUND, "--config " + file + ": the file does not exist", e);
        } catch (IOException e) {
            throw new KefuException(ErrorCode.IO, "--config " + file + ": cannot read: " + e.getMessage(), e);
        } catch (MarkedYamlEngineException e) {
            int line = e.getProblemMark().or(e::getContextMark).map(m -> m.getLine() + 1).orElse(0);
            throw new KefuException(ErrorCode.INVALID_CONFIG, file + ":" + line + ": not valid YAML: " + e.getProblem(), e);
        } catch (YamlEngineException e) {
            throw new KefuException(ErrorCode.INVALID_CONFIG, file + ": not valid YAML: " + e.getMessage(), e);
        }
        if (root == null) {
            return new ServeConfigFile(file, Map.of(), Persona.DEFAULT, null, ComplianceRules.defaults(), HandoffRules.defaults());
        }
        return new Reading(file, command).read(root);
    }

    /** @return the file read, if any */
    Optional<Path> file() {
        return Optional.ofNullable(file);
    }

    /** @return whether the file sets this option */
    boolean sets(OptionSpec option) {
        return flags.containsKey(option.longestName());
    }

    /** @return whether this option's value is the file's, passed on as arguments by {@link #repeatableArguments} */
    boolean passedAsArguments(OptionSpec option) {
        return passedAsArguments.contains(option.longestName());
    }

    /** @return the file's value of a single-value option (for picocli as a default), or null when the file is silent or it has several */
    String defaultOf(ArgSpec arg) {
        Setting s = arg instanceof OptionSpec o ? flags.get(o.longestName()) : null;
        return s == null || s.repeatable() ? null : s.values().get(0);
    }

    /**
     * @param givenOnCommandLine whether an option was given on the command line
     * @return the command-line arguments that give the file's values of repeatable options the command line does not
     *     give (picocli takes one default string per option, so these travel as arguments)
     */
    List<String> repeatableArguments(java.util.function.Predicate<String> givenOnCommandLine) {
        List<String> args = new ArrayList<>();
        flags.forEach((name, setting) -> {
            if (setting.repeatable() && !givenOnCommandLine.test(name)) {
                passedAsArguments.add(name);
                for (String value : setting.values()) {
                    args.add(name);
                    args.add(value);
                }
            }
        });
        return args;
    }

    Persona persona() {
        return persona;
    }

    /** @return the history length the file sets, else the default */
    int historyTurns() {
        return historyTurns == null ? DEFAULT_HISTORY_TURNS : historyTurns;
    }

    ComplianceRules compliance() {
        return compliance;
    }

    HandoffRules handoff() {
        return handoff;
    }

    /** One pass over the file's mapping. */
    private static final class Reading {
        private final Path file;
        private final CommandSpec command;
        private final Map<String, Setting> flags = new LinkedHashMap<>();
        private Persona persona = Persona.DEFAULT;
        private Integer historyTurns;
        private final Map<String, String> bannedClaims = new LinkedHashMap<>();
        private final List<String> keywords = new ArrayList<>();
        private String deskHours;
        private Node deskHoursNode;
        private String deskZone;
        private Node deskZoneNode;

        Reading(Path file, CommandSpec command) {
            this.file = file;
            this.command = command;
        }

        ServeConfigFile read(Node root) {
            for (Map.Entry<String, NodeTuple> entry : entries(root, "a serve config").entrySet()) {
                String key = entry.getKey();
                Node value = entry.getValue().getValueNode();
                switch (key) {
                    case ASSISTANT -> assistant(value);
                    case COMPLIANCE -> compliance(value);
                    case HANDOFF -> handoff(value);
                    default -> flag(key, entry.getValue().getKeyNode(), value);
                }
            }
            ComplianceRules compliance = at(root, () -> ComplianceRules.defaultsWith(bannedClaims));
            Optional<DeskHours> desk = Optional.empty();
            if (deskHours != null) {
                ZoneId zone = deskZone == null ? ZoneId.systemDefault() : zone(deskZoneNode, deskZone);
                desk = Optional.of(at(deskHoursNode, () -> DeskHours.parse(deskHours, zone)));
            } else if (deskZone != null) {
                throw error(deskZoneNode, "handoff.desk-time-zone needs handoff.desk-hours");
            }
            Optional<DeskHours> hours = desk;
            HandoffRules handoff = at(root, () -> HandoffRules.defaultsWith(keywords, hours));
            return new ServeConfigFile(file, flags, persona, historyTurns, compliance, handoff);
        }

        private void flag(String key, Node keyNode, Node value) {
            OptionSpec option = command.findOption("--" + key);
            if (option == null || !option.longestName().equals("--" + key) || option.usageHelp() || option.versionHelp()
                    || key.equals("config")) {
                throw error(keyNode, "unknown key '" + key + "'; keys are the flags of kefu serve without the dashes ("
                        + String.join(", ", flagKeys()) + ") and the sections " + String.join(", ", SECTIONS));
            }
            if (isNull(value)) {
                return; // ~ leaves the flag at its default, as the effective configuration prints an unset one
            }
            List<String> values = new ArrayList<>();
            if (value instanceof SequenceNode seq) {
                if (!option.isMultiValue()) {
                    throw error(value, "key '" + key + "' takes one value, not a list");
                }
                for (Node item : seq.getValue()) {
                    values.add(scalar(key, item));
                }
            } else if (value instanceof MappingNode && takesPairs(option)) {
                for (Map.Entry<String, NodeTuple> entry : entries(value, key).entrySet()) {
                    values.add(entry.getKey() + "=" + scalar(key + "." + entry.getKey(), entry.getValue().getValueNode()));
                }
            } else {
                values.add(scalar(key, value));
            }
            flags.put(option.longestName(), new Setting(values, option.isMultiValue(), line(keyNode)));
        }

        /** A flag of {@code key=value} pairs: a map, or a repeatable flag whose values read {@code NAME=...} (--adapter, --arm). */
        private static boolean takesPairs(OptionSpec option) {
            return option.typeInfo().isMap() || (option.isMultiValue() && option.paramLabel().startsWith("NAME="));
        }

        private List<String> flagKeys() {
            List<String> keys = new ArrayList<>();
            for (OptionSpec o : command.options()) {
                if (!o.usageHelp() && !o.versionHelp() && o.longestName().startsWith("--") && !o.longestName().equals("--config")) {
                    keys.add(o.longestName().substring(2));
                }
            }
            return keys;
        }

        private void assistant(Node section) {
            for (Map.Entry<String, NodeTuple> e : entries(section, ASSISTANT).entrySet()) {
                Node value = e.getValue().getValueNode();
                switch (known(ASSISTANT, e.getKey(), e.getValue(), ASSISTANT_KEYS)) {
                    case "persona" -> persona = at(value, () -> new Persona(scalar("assistant.persona", value)));
                    default -> historyTurns = integer("assistant.history-turns", value, 0, 100);
                }
            }
        }

        private void compliance(Node section) {
            for (Map.Entry<String, NodeTuple> e : entries(section, COMPLIANCE).entrySet()) {
                known(COMPLIANCE, e.getKey(), e.getValue(), COMPLIANCE_KEYS);
                Node value = e.getValue().getValueNode();
                if (value instanceof SequenceNode seq) {
                    for (Node item : seq.getValue()) {
                        bannedClaims.put(scalar("compliance.banned-claims", item), null);
                    }
                    continue;
                }
                for (Map.Entry<String, NodeTuple> claim : entries(value, "compliance.banned-claims").entrySet()) {
                    Node replacement = claim.getValue().getValueNode();
                    boolean none = isNull(replacement);
                    String said = none ? null : scalar("compliance.banned-claims." + claim.getKey(), replacement);
                    Map<String, String> one = new LinkedHashMap<>();
                    one.put(claim.getKey(), said);
                    at(claim.getValue().getKeyNode(), () -> ComplianceRules.defaultsWith(one));
                    bannedClaims.put(claim.getKey(), said);
                }
            }
        }

        private void handoff(Node section) {
            for (Map.Entry<String, NodeTuple> e : entries(section, HANDOFF).entrySet()) {
                Node value = e.getValue().getValueNode();
                switch (known(HANDOFF, e.getKey(), e.getValue(), HANDOFF_KEYS)) {
                    case "keywords" -> {
                        if (!(value instanceof SequenceNode seq)) {
                            throw error(value, "handoff.keywords is a list, e.g. [举报, 退货地址]");
                        }
                        for (Node item : seq.getValue()) {
                            keywords.add(scalar("handoff.keywords", item));
                        }
                    }
                    case "desk-hours" -> {
                        deskHours = isNull(value) ? null : scalar("handoff.desk-hours", value);
                        deskHoursNode = value;
                    }
                    default -> {
                        deskZone = isNull(value) ? null : scalar("handoff.desk-time-zone", value);
                        deskZoneNode = value;
                    }
                }
            }
        }

        private ZoneId zone(Node node, String name) {
            try {
                return ZoneId.of(name);
            } catch (DateTimeException e) {
                throw error(node, "handoff.desk-time-zone: '" + name + "' is not a time zone such as Asia/Shanghai");
            }
        }

        private String known(String section, String key, NodeTuple tuple, List<String> keys) {
            if (!keys.contains(key)) {
                throw error(tuple.getKeyNode(), "unknown key '" + section + "." + key + "'; the section " + section + " has " + String.join(", ", keys));
            }
            return key;
        }

        /** The mapping's entries in file order; a key given twice is an error at its second line. */
        private Map<String, NodeTuple> entries(Node node, String what) {
            if (!(node instanceof MappingNode mapping)) {
                throw error(node, what + " is a mapping of keys to values (key: value)");
            }
            Map<String, NodeTuple> out = new LinkedHashMap<>();
            Map<String, Integer> lines = new LinkedHashMap<>();
            for (NodeTuple tuple : mapping.getValue()) {
                if (!(tuple.getKeyNode() instanceof ScalarNode keyNode)) {
                    throw error(tuple.getKeyNode(), "keys are plain names such as max-batch");
                }
                String key = keyNode.getValue();
                Integer earlier = lines.putIfAbsent(key, line(keyNode));
                if (earlier != null) {
                    throw error(keyNode, "key '" + key + "' appears twice (first at line " + earlier + ")");
                }
                out.put(key, tuple);
            }
            return out;
        }

        private String scalar(String key, Node value) {
            if (!(value instanceof ScalarNode s) || isNull(s) || s.getValue().isBlank()) {
                throw error(value, "key '" + key + "' needs a value");
            }
            return s.getValue().strip();
        }

        private int integer(String key, Node value, int min, int max) {
            String text = scalar(key, value);
            try {
                int n = Integer.parseInt(text);
                if (n >= min && n <= max) {
                    return n;
                }
            } catch (NumberFormatException ignored) {
                // reported below
            }
            throw error(value, "key '" + key + "': expected a whole number in " + min + ".." + max + ", got '" + text + "'");
        }

        /** Builds a value, reporting a rule it breaks at the node's line. */
        private <T> T at(Node node, java.util.function.Supplier<T> build) {
            try {
                return build.get();
            } catch (KefuException e) {
                throw error(node, e.getMessage());
            }
        }

        private KefuException error(Node node, String message) {
            return new KefuException(ErrorCode.INVALID_CONFIG, file + ":" + line(node) + ": " + message);
        }
    }

    /** YAML's null: {@code ~}, {@code null} or nothing (the JSON schema the parser uses knows only {@code null}). */
    private static boolean isNull(Node node) {
        return node instanceof ScalarNode s && (s.getTag().equals(Tag.NULL)
                || (s.isPlain() && List.of("~", "null", "Null", "NULL", "").contains(s.getValue())));
    }

    private static int line(Node node) {
        return node.getStartMark().map(Mark::getLine).orElse(-1) + 1;
    }

    /** @return picocli's complaint about a value from the file as an error naming the file and line; others as they are */
    RuntimeException located(CommandLine.ParameterException e) {
        if (e.getArgSpec() instanceof OptionSpec o && flags.containsKey(o.longestName())) {
            return new KefuException(ErrorCode.INVALID_CONFIG, file + ":" + flags.get(o.longestName()).line() + ": key '"
                    + o.longestName().substring(2) + "': " + e.getMessage(), e);
        }
        return e;
    }
}
