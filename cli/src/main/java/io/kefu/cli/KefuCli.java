package io.kefu.cli;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.bench.BenchCommand;
import io.kefu.cli.adapters.AdaptersCommand;
import io.kefu.cli.common.ExitCodes;
import io.kefu.cli.common.Terminal;
import io.kefu.cli.data.DataCommand;
import io.kefu.cli.eval.AbCommand;
import io.kefu.cli.eval.EvalCommand;
import io.kefu.cli.eval.RatingCommand;
import io.kefu.cli.eval.ScoreCommand;
import io.kefu.cli.eval.VerifyCommand;
import io.kefu.cli.export.ExportCommand;
import io.kefu.cli.export.TrtllmCommand;
import io.kefu.cli.quickstart.QuickstartCommand;
import io.kefu.cli.retrain.RetrainCommand;
import io.kefu.cli.serve.ChatCommand;
import io.kefu.cli.serve.GenerateCommand;
import io.kefu.cli.serve.ServeCommand;
import io.kefu.cli.shop.ShopCommand;
import io.kefu.cli.train.MergeCommand;
import io.kefu.cli.train.ModelCommand;
import io.kefu.cli.train.ParamsCommand;
import io.kefu.cli.train.PlanCommand;
import io.kefu.cli.train.TrainCommand;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code kefu} command. Exit codes: 0 ok, 1 a check failed or the work failed, 2 usage error
 * ({@code kefu retrain} also 3: the run failed, see {@link RetrainCommand}).
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
            VerifyCommand.class,
            ParamsCommand.class, PlanCommand.class,
            ModelCommand.class, TrainCommand.class, RetrainCommand.class, AdaptersCommand.class, MergeCommand.class,
            ScoreCommand.class, EvalCommand.class, AbCommand.class, RatingCommand.class,
            ServeCommand.class, ShopCommand.class,
            ChatCommand.class, GenerateCommand.class,
            NotebookCommand.class,
            QuickstartCommand.class,
            CommandLine.HelpCommand.class
        })
public final class KefuCli implements Runnable, Terminal.Root {
    /** A check failed (validation problems, a failed comparison) or the work failed. */
    public static final int EXIT_FAILED = ExitCodes.FAILED;
    /** The command line was wrong. */
    public static final int EXIT_USAGE = ExitCodes.USAGE;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Whether the streams are an interactive terminal, where progress is drawn as bars. */
    private final boolean interactive;

    private KefuCli(boolean interactive) {
        this.interactive = interactive;
    }

    public static void main(String[] args) {
        quietGpuProbeWithoutGpu();
        // UTF-8 whatever the platform locale, so answers in Chinese print intact (the default on Java 18+)
        System.exit(run(args, new PrintWriter(new java.io.OutputStreamWriter(System.out, java.nio.charset.StandardCharsets.UTF_8), true),
                new PrintWriter(new java.io.OutputStreamWriter(System.err, java.nio.charset.StandardCharsets.UTF_8), true),
                onTerminal()));
    }

    /** The logger of DJL's CUDA probe, which warns "Failed to detect GPU count" on every start where no CUDA driver answers. */
    static final String CUDA_PROBE_LOG = "org.slf4j.simpleLogger.log.ai.djl.util.cuda.CudaUtils";

    /**
     * On a machine with no NVIDIA driver (Linux without {@code /proc/driver/nvidia}, or macOS) the CUDA probe's warning
     * says nothing a user can act on, so only its errors are shown; where a driver is installed it stays, since there
     * it points at a real problem. A {@code -D} setting of that logger wins.
     */
    static void quietGpuProbeWithoutGpu() {
        String os = System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT);
        boolean noDriver = os.contains("mac") || (os.contains("linux") && !java.nio.file.Files.exists(java.nio.file.Path.of("/proc/driver/nvidia")));
        if (noDriver && System.getProperty(CUDA_PROBE_LOG) == null) {
            System.setProperty(CUDA_PROBE_LOG, "error");
        }
    }

    /** Runs the command line with the given streams and returns the exit code (used by tests); progress is printed as plain lines. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        return run(args, out, err, false);
    }

    /**
     * @param interactive whether {@code out} and {@code err} are an interactive terminal (progress bars)
     *     rather than a pipe, a file or a test's buffer (plain progress lines)
     */
    static int run(String[] args, PrintWriter out, PrintWriter err, boolean interactive) {
        return commandLine(out, err, interactive).execute(args);
    }

    /** The whole command tree, printing to {@code out} and {@code err}, ready to execute. */
    static CommandLine commandLine(PrintWriter out, PrintWriter err, boolean interactive) {
        CommandLine cli = new CommandLine(new KefuCli(interactive));
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
        return cli;
    }

    /** @return whether the command runs on an interactive terminal (see {@link #run(String[], PrintWriter, PrintWriter, boolean)}) */
    @Override
    public boolean interactive() {
        return interactive;
    }

    /** True when standard input and output are a terminal that understands a carriage return. */
    private static boolean onTerminal() {
        // Java 17-21 give a console only when both streams are a terminal; Java 22+ always give one and say so
        // through Console.isTerminal(), looked up reflectively because the code is compiled for Java 17
        java.io.Console console = System.console();
        if (console == null || "dumb".equals(System.getenv("TERM"))) {
            return false;
        }
        try {
            return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(console);
        } catch (ReflectiveOperationException e) {
            return true;
        }
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
