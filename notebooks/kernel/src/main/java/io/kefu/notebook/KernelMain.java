package io.kefu.notebook;

import io.github.spencerpark.jupyter.channels.JupyterConnection;
import io.github.spencerpark.jupyter.kernel.KernelConnectionProperties;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Starts the kernel: {@code java -jar kefu-kernel.jar CONNECTION_FILE} (Jupyter passes the file). */
public final class KernelMain {
    private KernelMain() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: java -jar kefu-kernel.jar CONNECTION_FILE");
            System.exit(2);
        }
        System.setProperty("java.awt.headless", "true");
        // the messaging library logs every request at INFO; only problems belong in the kernel log
        java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
        for (java.util.logging.Handler handler : java.util.logging.Logger.getLogger("").getHandlers()) {
            handler.setLevel(java.util.logging.Level.WARNING);
        }
        String connection = Files.readString(Path.of(args[0]), StandardCharsets.UTF_8);
        KernelConnectionProperties properties = KernelConnectionProperties.parse(connection);
        List<String> problems = ConnectionPolicy.check(properties, ConnectionPolicy.Settings.fromEnvironment());
        if (!problems.isEmpty()) {
            for (String problem : problems) {
                System.err.println("kefu kernel: refusing to start: " + problem);
            }
            System.exit(2);
        }
        JupyterConnection jupyter = new VerifyingJupyterConnection(properties);
        KefuKernel kernel = new KefuKernel();
        kernel.becomeHandlerForConnection(jupyter);
        jupyter.connect();
        jupyter.waitUntilClose();
    }
}
