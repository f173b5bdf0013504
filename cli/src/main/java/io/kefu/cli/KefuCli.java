package io.kefu.cli;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code kefu} command. Exit codes: 0 ok, 1 a check failed or the work failed, 2 usage error.
 */
@Command(name = "kefu",
        mixinStandardHelpOptions = true,
        versionProvider = KefuCli.Version.class,
        description = "Fine-tune, evaluate and serve a shop's own customer-service chat model.",
        subcommands = {
            DataCommand.class,
            EnginesCommand.class,
            BenchCommand.class,
            ExportCommand.class,
            TrtllmCommand.class,
            ParamsCommand.class,
            ModelCommand.class, TrainCommand.class, MergeCommand.class,
            ScoreCommand.class, EvalCommand.class, AbCommand.class, RatingCommand.class,
            ServeCommand.class,
            ChatCommand.class, GenerateCommand.class,
            NotebookCommand.class,
            CommandLine.HelpCommand.class
        })
public final class KefuCli implements Runnable {
    /** A check failed (validation problems, a failed comparison) or the work failed. */
    public static final int EXIT_FAILED = 1;
    /** The command line was wrong. */
    public static final int EXIT_USAGE = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        // UTF-8 whatever the platform locale, so answers in Chinese print intact (the default on Java 18+)
        System.exit(run(args, new PrintWriter(new java.io.OutputStreamWriter(System.out, java.nio.charset.StandardCharsets.UTF_8), true),
                new PrintWriter(new java.io.OutputStreamWriter(System.err, java.nio.charset.StandardCharsets.UTF_8), true)));
    }

    /** Runs the command line with the given streams and returns the exit code (used by tests). */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new KefuCli());
        cli.setOut(out);
        cli.setErr(err);
        cli.setExitCodeExceptionMapper(KefuCli::exitCode);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("kefu: " + describe(e));
            if (Boolean.getBoolean("kefu.debug")) {
                e.printStackTrace(commandLine.getErr());
            }
            return exitCode(e);
        });
        return cli.execute(args);
    }

    static int exitCode(Throwable e) {
        if (e instanceof KefuException k
                && (k.code() == ErrorCode.INVALID_ARGUMENT || k.code() == ErrorCode.INVALID_CONFIG)) {
            return EXIT_USAGE;
        }
        return e instanceof CommandLine.ParameterException ? EXIT_USAGE : EXIT_FAILED;
    }

    private static String describe(Throwable e) {
        if (e instanceof KefuException) {
            return e.getMessage();
        }
        return e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Reads the version from the jar manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = KefuCli.class.getPackage().getImplementationVersion();
            return new String[] {"kefu " + (version == null ? "(development build)" : version)};
        }
    }
}
