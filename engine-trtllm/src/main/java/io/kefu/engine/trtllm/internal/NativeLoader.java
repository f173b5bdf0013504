package io.kefu.engine.trtllm.internal;

import com.sun.jna.Library;
import com.sun.jna.Native;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Finds and loads the shim library. Where it looks, in order: the system property
 * {@value #PROPERTY}, the environment variable {@value #ENV} (each a path to the library file), then
 * {@value #FILE_NAME} in every folder of {@code java.library.path} and {@code LD_LIBRARY_PATH}.
 */
public final class NativeLoader {
    /** System property naming the library file. */
    public static final String PROPERTY = "kefu.trtllm.library";
    /** Environment variable naming the library file. */
    public static final String ENV = "KEFU_TRTLLM_LIBRARY";
    /** The file name searched for in library folders. */
    public static final String FILE_NAME = "libkefu_trtllm.so";

    /**
     * What a probe found.
     *
     * @param library the loaded library when usable, else null
     * @param path the file loaded or last tried, else null
     * @param message the backend and ABI when usable, else why not
     */
    public record Probe(TrtllmNative library, Path path, String message) {
        /** @return whether the library loaded and speaks our ABI */
        public boolean usable() {
            return library != null;
        }
    }

    private NativeLoader() {
    }

    /** Probes with this JVM's system properties and environment. */
    public static Probe probe() {
        return probe(System.getProperty(PROPERTY), System.getenv());
    }

    /**
     * Probes with the given setting and environment.
     *
     * @param property the value of {@value #PROPERTY}, or null
     * @param env the environment ({@value #ENV}, {@code LD_LIBRARY_PATH})
     */
    public static Probe probe(String property, Map<String, String> env) {
        if (property != null && !property.isBlank()) {
            return load(Path.of(property), "system property " + PROPERTY);
        }
        String fromEnv = env.get(ENV);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return load(Path.of(fromEnv), "environment variable " + ENV);
        }
        Set<String> folders = new LinkedHashSet<>();
        addFolders(folders, System.getProperty("java.library.path"));
        addFolders(folders, env.get("LD_LIBRARY_PATH"));
        List<String> searched = new ArrayList<>();
        for (String folder : folders) {
            Path candidate = Path.of(folder, FILE_NAME);
            searched.add(candidate.toString());
            if (Files.isRegularFile(candidate)) {
                return load(candidate, "library path");
            }
        }
        return new Probe(null, null, FILE_NAME + " not found; set the system property " + PROPERTY
                + " or the environment variable " + ENV + " to its path (build it as engine-trtllm/native/README.md says); searched "
                + (searched.isEmpty() ? "no folders (java.library.path and LD_LIBRARY_PATH are empty)" : String.join(", ", searched)));
    }

    private static void addFolders(Set<String> folders, String pathList) {
        if (pathList == null) {
            return;
        }
        for (String folder : pathList.split(File.pathSeparator)) {
            if (!folder.isBlank()) {
                folders.add(folder);
            }
        }
    }

    private static Probe load(Path path, String source) {
        if (!Files.isRegularFile(path)) {
            return new Probe(null, path, "the library " + path + " named by the " + source + " does not exist");
        }
        TrtllmNative lib;
        try {
            lib = Native.load(path.toAbsolutePath().toString(), TrtllmNative.class,
                    Map.of(Library.OPTION_STRING_ENCODING, "UTF-8"));
        } catch (UnsatisfiedLinkError e) {
            return new Probe(null, path, "the library " + path + " (from the " + source + ") cannot be loaded: " + e.getMessage());
        }
        int found;
        try {
            found = lib.kefu_trtllm_abi_version();
        } catch (UnsatisfiedLinkError e) {
            return new Probe(null, path, "the library " + path + " has no kefu_trtllm_abi_version(): it is not a Kefu TensorRT-LLM shim");
        }
        if (found != TrtllmNative.ABI_VERSION) {
            return new Probe(null, path, "ABI version mismatch: " + path + " implements kefu_trtllm ABI " + found
                    + " but this engine-trtllm expects ABI " + TrtllmNative.ABI_VERSION + "; rebuild the shim from the same Kefu release");
        }
        return new Probe(lib, path, lib.kefu_trtllm_backend() + " via " + path + " (ABI " + found + ")");
    }
}
