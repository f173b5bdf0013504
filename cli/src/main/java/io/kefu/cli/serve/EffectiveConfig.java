package io.kefu.cli.serve;

import io.kefu.shop.policy.ComplianceRules;
import io.kefu.shop.policy.HandoffRules;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Prints the configuration {@code kefu serve} runs with as a serve.yaml (which {@code --config} reads back), each line
 * saying in a comment where its value came from (flag, file or default). Secrets are never printed: a flag whose name says it holds one prints
 * {@value #REDACTED}, and passwords, tokens and keys inside values (a JDBC URL's {@code password=}) are masked. The
 * API key itself is read from a file and only the file's path is printed.
 */
final class EffectiveConfig {
    static final String REDACTED = "<redacted>";
    private static final Pattern SECRET_NAME = Pattern.compile("password|secret|token|credential");
    private static final Pattern SECRET_IN_VALUE = Pattern.compile("(?i)(password|passwd|pwd|secret|token|api[-_]?key)=[^&;\\s]*");
    private static final Pattern USER_INFO = Pattern.compile("//([^/:@\\s]+):[^@/\\s]*@");

    private EffectiveConfig() {
    }

    static void print(PrintWriter out, CommandSpec spec, ServeConfigFile settings) {
        out.println("# kefu serve: effective configuration" + settings.file().map(f -> " (--config " + f + "; flags override it)").orElse("")
                + ", as a serve.yaml");
        for (OptionSpec option : spec.options()) {
            String name = option.longestName();
            if (option.usageHelp() || option.versionHelp() || !name.startsWith("--") || name.equals("--config")) {
                continue;
            }
            boolean onCommandLine = spec.commandLine().getParseResult() != null && spec.commandLine().getParseResult().hasMatchedOption(option)
                    && !settings.passedAsArguments(option);
            String source = onCommandLine ? "flag" : settings.sets(option) ? "file" : "default";
            out.println("  " + name.substring(2) + ": " + value(name, option.getValue()) + "    # " + source);
        }
        out.println("  " + ServeConfigFile.ASSISTANT + ":");
        out.println("    persona: " + quoted(settings.persona().template()));
        out.println("    history-turns: " + settings.historyTurns());
        ComplianceRules compliance = settings.compliance();
        out.println("  " + ServeConfigFile.COMPLIANCE + ":");
        out.println("    banned-claims:");
        for (String claim : compliance.bannedClaims()) {
            String replacement = compliance.replacements().get(claim);
            out.println("      " + quoted(claim) + ": " + (replacement == null ? "~" : quoted(replacement)));
        }
        HandoffRules handoff = settings.handoff();
        out.println("  " + ServeConfigFile.HANDOFF + ":");
        out.println("    keywords: [" + String.join(", ", handoff.keywords().stream().map(EffectiveConfig::quoted).toList()) + "]");
        handoff.deskHours().ifPresentOrElse(desk -> {
            out.println("    desk-hours: " + quoted(desk.toString()));
            out.println("    desk-time-zone: " + desk.zone());
        }, () -> out.println("    desk-hours: ~    # always staffed"));
        out.flush();
    }

    /** @return the value as YAML, with secrets masked */
    static String value(String optionName, Object value) {
        if (value == null || (value instanceof Collection<?> c && c.isEmpty())) {
            return "~";
        }
        if (SECRET_NAME.matcher(optionName.toLowerCase(Locale.ROOT)).find()) {
            return REDACTED;
        }
        if (value instanceof Collection<?> c) {
            List<String> items = new ArrayList<>();
            c.forEach(item -> items.add(quoted(redact(String.valueOf(item)))));
            return "[" + String.join(", ", items) + "]";
        }
        return value instanceof String || value instanceof java.nio.file.Path ? quoted(redact(String.valueOf(value))) : String.valueOf(value);
    }

    /** @return {@code text} with passwords, tokens and keys in it masked */
    static String redact(String text) {
        String out = SECRET_IN_VALUE.matcher(text).replaceAll(m -> java.util.regex.Matcher.quoteReplacement(m.group(1) + "=" + REDACTED));
        return USER_INFO.matcher(out).replaceAll(m -> java.util.regex.Matcher.quoteReplacement("//" + m.group(1) + ":" + REDACTED + "@"));
    }

    private static String quoted(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
    }
}
