package io.kefu.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The first minute at the terminal: every command of {@code kefu}, subcommands included, builds its
 * usage help without a picocli warning (picocli prints them on standard error, e.g. for an unescaped
 * {@code %} in a description), and the summary {@code --help} lists for it (the first line of its
 * description, or of its header where it has one) is a whole sentence.
 */
class CommandTreeTest {
    @Test
    void everyCommandHasUsageHelpWithoutWarningsAndASentenceForItsSummary() {
        CommandLine root = KefuCli.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()), false);
        List<CommandLine> commands = new ArrayList<>();
        collect(root, commands);
        assertThat(commands).extracting(CommandLine::getCommandName).contains("kefu", "validate", "train", "eval", "serve", "bench", "decode");

        ByteArrayOutputStream warnings = new ByteArrayOutputStream();
        PrintStream stderr = System.err;
        List<String> usages = new ArrayList<>();
        System.setErr(new PrintStream(warnings, true, StandardCharsets.UTF_8));
        try {
            for (CommandLine command : commands) {
                usages.add(command.getUsageMessage(CommandLine.Help.Ansi.OFF));
            }
        } finally {
            System.setErr(stderr);
        }
        assertThat(warnings.toString(StandardCharsets.UTF_8)).as("picocli warnings while building usage help").isEmpty();
        assertThat(usages).allSatisfy(usage -> assertThat(usage).doesNotContain("[picocli WARN]"));

        List<String> notSentences = new ArrayList<>();
        for (CommandLine command : commands) {
            String summary = summary(command.getCommandSpec().usageMessage());
            if (!isSentence(summary)) {
                notSentences.add(command.getCommandSpec().qualifiedName() + ": \"" + summary + "\"");
            }
        }
        assertThat(notSentences).as("commands whose one-line summary is not a whole sentence").isEmpty();
    }

    private static void collect(CommandLine command, List<CommandLine> into) {
        into.add(command);
        for (CommandLine sub : command.getSubcommands().values()) {
            if (!into.contains(sub)) { // aliases map several names to one command
                collect(sub, into);
            }
        }
    }

    /** What the list of commands shows: the first line of the header, else of the description (picocli's own help command has a header). */
    private static String summary(CommandLine.Model.UsageMessageSpec usage) {
        String[] lines = usage.header().length > 0 ? usage.header() : usage.description();
        return lines.length == 0 ? "" : lines[0].strip();
    }

    /** Starts with a capital letter and ends with a full stop, so it is not a sentence cut at a line break. */
    private static boolean isSentence(String line) {
        return !line.isEmpty() && Character.isUpperCase(line.codePointAt(0)) && line.endsWith(".") && !line.endsWith("e.g.");
    }
}
