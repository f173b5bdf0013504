package io.kefu.notebook;

import io.github.spencerpark.jupyter.kernel.magic.registry.Magics;
import io.github.spencerpark.jupyter.kernel.util.GlobFinder;
import java.io.File;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The line magics: {@code %classpath PATH...}, {@code %jars GLOB...}, {@code %maven G:A:V...} and
 * {@code %kefu [DIR]}. Each adds entries to the classpath of the cells that follow.
 */
final class KernelMagics {
    private final Consumer<Path> classpath;
    private final Supplier<PrintStream> out;
    private final MavenResolver maven;

    KernelMagics(Consumer<Path> classpath, Supplier<PrintStream> out, MavenResolver maven) {
        this.classpath = classpath;
        this.out = out;
        this.maven = maven;
    }

    void registerWith(Magics magics) {
        magics.registerLineMagic("classpath", this::classpath);
        magics.registerLineMagic("jars", this::jars);
        magics.registerLineMagic("maven", this::maven);
        magics.registerLineMagic("kefu", this::kefu);
    }

    /** {@code %classpath a.jar:classes b.jar} — jars or class folders, separated by spaces or the path separator. */
    Object classpath(List<String> args) {
        requireArgs("classpath", args, "PATH...");
        List<Path> added = new ArrayList<>();
        for (String arg : args) {
            for (String entry : arg.split(File.pathSeparator)) {
                if (entry.isBlank()) {
                    continue;
                }
                Path path = Path.of(entry).toAbsolutePath().normalize();
                if (!Files.exists(path)) {
                    throw new IllegalArgumentException("%classpath: " + path + " does not exist");
                }
                added.add(path);
            }
        }
        add(added, "%classpath");
        return null;
    }

    /** {@code %jars lib/*.jar} — every jar matching each glob; a glob matching nothing is an error. */
    Object jars(List<String> args) throws Exception {
        requireArgs("jars", args, "GLOB...");
        List<Path> added = new ArrayList<>();
        for (String glob : args) {
            int before = added.size();
            for (Path path : new GlobFinder(glob).computeMatchingFiles()) {
                if (path.getFileName().toString().endsWith(".jar")) {
                    added.add(path.toAbsolutePath().normalize());
                }
            }
            if (added.size() == before) {
                throw new IllegalArgumentException("%jars: no jar matches '" + glob + "' (in "
                        + Path.of("").toAbsolutePath() + ")");
            }
        }
        add(added, "%jars");
        return null;
    }

    /** {@code %maven org.knowm.xchart:xchart:3.8.8} — the artifacts and their runtime dependencies. */
    Object maven(List<String> args) throws Exception {
        requireArgs("maven", args, "GROUP:ARTIFACT:VERSION...");
        add(maven.resolve(args), "%maven");
        return null;
    }

    /** {@code %kefu [DIR]} — the locally built Kefu modules and engines with their libraries. */
    Object kefu(List<String> args) throws Exception {
        if (args.size() > 1) {
            throw new IllegalArgumentException("%kefu takes at most one argument, the Kefu folder; got " + args);
        }
        Path home = KefuHome.locate(args.isEmpty() ? null : args.get(0));
        add(KefuHome.classpath(home), "%kefu (" + home + ")");
        return null;
    }

    private void add(List<Path> entries, String source) {
        for (Path entry : entries) {
            classpath.accept(entry);
        }
        out.get().println(source + ": added " + entries.size() + " classpath entr" + (entries.size() == 1 ? "y" : "ies"));
    }

    private static void requireArgs(String magic, List<String> args, String usage) {
        if (args.isEmpty()) {
            throw new IllegalArgumentException("usage: %" + magic + " " + usage);
        }
    }
}
