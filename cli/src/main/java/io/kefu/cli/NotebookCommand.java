package io.kefu.cli;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.cli.common.ExitCodes;
import io.kefu.notebook.KernelSpec;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code kefu notebook ...}: install the Java kernel for Jupyter and execute the notebooks. */
@Command(name = "notebook",
        mixinStandardHelpOptions = true,
        description = "Install the Java (Kefu) Jupyter kernel, or execute notebooks headless.",
        subcommands = {NotebookCommand.Install.class, NotebookCommand.Run.class})
public final class NotebookCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Where the kernelspec goes: {@code --user} (the default) or {@code --prefix}. */
    static final class Location {
        @Option(names = "--user", description = "Install for the current user (the default): $JUPYTER_DATA_DIR/kernels or ~/.local/share/jupyter/kernels.")
        boolean user;

        @Option(names = "--prefix", paramLabel = "DIR", description = "Install into DIR/share/jupyter/kernels (e.g. a virtualenv or conda prefix).")
        Path prefix;

        Path kernelsDir() {
            return prefix != null ? KernelSpec.prefixKernelsDir(prefix) : KernelSpec.userKernelsDir();
        }
    }

    /** {@code kefu notebook install}. */
    @Command(name = "install",
            mixinStandardHelpOptions = true,
            description = {"Write the kernelspec \"" + KernelSpec.DISPLAY_NAME + "\" (" + KernelSpec.NAME + "): kernel.json and the kernel jar.",
                    "Jupyter Notebook, JupyterLab and VS Code list it in their kernel pickers."},
            footer = {"", "Examples:", "  kefu notebook install", "  kefu notebook install --prefix \"$VIRTUAL_ENV\""})
    static final class Install implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @ArgGroup(exclusive = true)
        Location location = new Location();

        @Option(names = "--java", paramLabel = "PATH", description = "The java executable the kernel runs with (default: the one running this command).")
        Path java;

        @Option(names = "--kefu-home", paramLabel = "DIR", description = "The Kefu tree %%kefu loads modules from (default: this tree, if kefu runs from one).")
        Path kefuHome;

        @Override
        public Integer call() {
            Path kernelsDir = location == null ? KernelSpec.userKernelsDir() : location.kernelsDir();
            Path installed = install(kernelsDir, java, kefuHome);
            PrintWriter out = spec.commandLine().getOut();
            out.println("installed kernel '" + KernelSpec.NAME + "' (" + KernelSpec.DISPLAY_NAME + ") in " + installed);
            out.flush();
            return 0;
        }
    }

    /** {@code kefu notebook run}. */
    @Command(name = "run",
            mixinStandardHelpOptions = true,
            description = {"Execute notebooks headless with the Java kernel (jupyter nbconvert --execute) and write executed copies.",
                    "A cell error fails the notebook; the exit code is 1 if any notebook failed.",
                    "The kernel is installed into OUT/.jupyter for the run, so no prior 'notebook install' is needed."},
            footer = {"", "Examples:", "  kefu notebook run --out target/notebooks",
                    "  kefu notebook run --out out notebooks/01-data.ipynb"})
    static final class Run implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "NOTEBOOK", description = "Notebooks to run (default: every *.ipynb in the Kefu tree's notebooks/ folder).")
        List<Path> notebooks = new ArrayList<>();

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Where the executed copies go.")
        Path out;

        @Option(names = "--jupyter", defaultValue = "jupyter", paramLabel = "PATH", description = "The jupyter command (default: ${DEFAULT-VALUE}).")
        String jupyter;

        @Option(names = "--cell-timeout", defaultValue = "600", paramLabel = "SECONDS", description = "Longest a cell may run (default: ${DEFAULT-VALUE}).")
        int cellTimeout;

        @Option(names = "--kefu-home", paramLabel = "DIR", description = "The Kefu tree %%kefu loads modules from (default: this tree).")
        Path kefuHome;

        @Override
        public Integer call() throws Exception {
            if (cellTimeout <= 0) {
                throw new KefuException(ErrorCode.INVALID_ARGUMENT, "--cell-timeout must be positive, got " + cellTimeout);
            }
            Path home = kefuHome != null ? kefuHome : sourceTree();
            List<Path> inputs = notebooks.isEmpty() ? defaultNotebooks(home) : notebooks;
            for (Path notebook : inputs) {
                if (!Files.isRegularFile(notebook) || !notebook.getFileName().toString().endsWith(".ipynb")) {
                    throw new KefuException(ErrorCode.INVALID_ARGUMENT, "not a notebook file: " + notebook);
                }
            }
            Files.createDirectories(out);
            Path jupyterPath = out.resolve(".jupyter");
            install(jupyterPath.resolve("kernels"), null, home);
            PrintWriter console = spec.commandLine().getOut();
            int failed = 0;
            for (Path notebook : inputs) {
                long start = System.nanoTime();
                String problem = execute(notebook, jupyterPath);
                double seconds = (System.nanoTime() - start) / 1e9;
                String name = notebook.getFileName().toString();
                if (problem == null) {
                    console.printf(Locale.ROOT, "ok      %-32s %6.1f s  -> %s%n", name, seconds, out.resolve(name));
                } else {
                    failed++;
                    console.printf(Locale.ROOT, "FAILED  %-32s %6.1f s%n%s%n", name, seconds, problem.indent(4));
                }
                console.flush();
            }
            console.printf(Locale.ROOT, "%d passed, %d failed%n", inputs.size() - failed, failed);
            console.flush();
            return failed == 0 ? 0 : ExitCodes.FAILED;
        }

        /** Runs one notebook; returns null on success, else what went wrong. */
        private String execute(Path notebook, Path jupyterPath) throws IOException, InterruptedException {
            String name = notebook.getFileName().toString();
            Path staging = Files.createTempDirectory(out, ".running-");
            Path log = staging.resolve("nbconvert.log");
            try {
                ProcessBuilder builder = new ProcessBuilder(jupyter, "nbconvert", "--to", "notebook", "--execute",
                        "--ExecutePreprocessor.kernel_name=" + KernelSpec.NAME,
                        "--ExecutePreprocessor.timeout=" + cellTimeout,
                        "--output-dir", staging.toAbsolutePath().toString(),
                        notebook.toAbsolutePath().toString())
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile());
                String existing = System.getenv("JUPYTER_PATH");
                builder.environment().put("JUPYTER_PATH", jupyterPath.toAbsolutePath()
                        + (existing == null || existing.isBlank() ? "" : java.io.File.pathSeparator + existing));
                builder.environment().put("PYDEVD_DISABLE_FILE_VALIDATION", "1");
                Process process;
                try {
                    process = builder.start();
                } catch (IOException e) {
                    throw new KefuException(ErrorCode.INVALID_ARGUMENT, "cannot start '" + jupyter + "': " + e.getMessage()
                            + " (install Jupyter, e.g. 'apt-get install jupyter-nbconvert python3-nbclient', or pass --jupyter)", e);
                }
                process.waitFor();
                Path executed = staging.resolve(name);
                if (process.exitValue() != 0 || !Files.isRegularFile(executed)) {
                    return "jupyter nbconvert exited with " + process.exitValue() + ":\n" + tail(log, 40);
                }
                Files.move(executed, out.resolve(name), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                return null;
            } finally {
                try (DirectoryStream<Path> left = Files.newDirectoryStream(staging)) {
                    for (Path path : left) {
                        Files.delete(path);
                    }
                }
                Files.delete(staging);
            }
        }

        private static String tail(Path log, int lines) throws IOException {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        }

        private static List<Path> defaultNotebooks(Path home) throws IOException {
            if (home == null) {
                throw new KefuException(ErrorCode.INVALID_ARGUMENT,
                        "no notebooks given and kefu does not run from a source tree: name the notebooks or pass --kefu-home");
            }
            List<Path> found = new ArrayList<>();
            try (DirectoryStream<Path> files = Files.newDirectoryStream(home.resolve("notebooks"), "*.ipynb")) {
                files.forEach(found::add);
            }
            found.sort(null);
            if (found.isEmpty()) {
                throw new KefuException(ErrorCode.INVALID_ARGUMENT, "no *.ipynb in " + home.resolve("notebooks"));
            }
            return found;
        }
    }

    /** Installs the kernelspec into a kernels folder, with bad paths reported as usage errors. */
    static Path install(Path kernelsDir, Path java, Path kefuHome) {
        Path javaExecutable = java != null ? java : Path.of(System.getProperty("java.home"), "bin", "java");
        if (!Files.isExecutable(javaExecutable)) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "--java " + javaExecutable + " is not an executable file");
        }
        Path home = kefuHome != null ? kefuHome.toAbsolutePath().normalize() : sourceTree();
        if (home != null && !Files.isDirectory(home)) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "--kefu-home " + home + " is not a folder");
        }
        try {
            return KernelSpec.install(kernelsDir, KernelSpec.runningJar(), javaExecutable, home);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, e.getMessage(), e);
        } catch (java.io.UncheckedIOException e) {
            throw new KefuException(ErrorCode.IO, e.getMessage(), e);
        }
    }

    /** The Kefu source tree this command runs from ({@code <tree>/cli/target/cli-*.jar}), if any. */
    static Path sourceTree() {
        try {
            Path location = Path.of(NotebookCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path target = location.getParent();
            if (target == null || target.getParent() == null || target.getParent().getParent() == null) {
                return null;
            }
            Path tree = target.getParent().getParent();
            return Files.isDirectory(tree.resolve("cli")) && Files.isDirectory(tree.resolve("notebooks"))
                    ? tree.toAbsolutePath().normalize() : null;
        } catch (URISyntaxException e) {
            return null;
        }
    }
}
