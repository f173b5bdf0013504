package io.kefu.notebook;

import io.github.spencerpark.jupyter.kernel.KernelConnectionProperties;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Decides whether the kernel may serve a connection file. It refuses an empty HMAC key (messages
 * would not be signed, so anyone who reaches the ports could run code) and an address other than
 * loopback (the ports would be open to the network), unless each is explicitly allowed.
 */
final class ConnectionPolicy {
    static final String ALLOW_UNSIGNED_PROPERTY = "kefu.kernel.allowUnsignedMessages";
    static final String ALLOW_UNSIGNED_VARIABLE = "KEFU_KERNEL_ALLOW_UNSIGNED_MESSAGES";
    static final String ALLOW_REMOTE_PROPERTY = "kefu.kernel.allowRemote";
    static final String ALLOW_REMOTE_VARIABLE = "KEFU_KERNEL_ALLOW_REMOTE";

    private ConnectionPolicy() {}

    /** What the user explicitly allowed. */
    record Settings(boolean allowUnsignedMessages, boolean allowRemote) {
        /** From system properties, else environment variables; each is allowed only by {@code true}. */
        static Settings fromEnvironment() {
            return from(System::getProperty, System.getenv());
        }

        static Settings from(UnaryOperator<String> properties, Map<String, String> environment) {
            return new Settings(
                    isTrue(properties.apply(ALLOW_UNSIGNED_PROPERTY), environment.get(ALLOW_UNSIGNED_VARIABLE)),
                    isTrue(properties.apply(ALLOW_REMOTE_PROPERTY), environment.get(ALLOW_REMOTE_VARIABLE)));
        }

        private static boolean isTrue(String property, String variable) {
            return Boolean.parseBoolean(property != null ? property.strip() : variable == null ? null : variable.strip());
        }
    }

    /** Why the kernel must not start with these connection properties; empty when it may. */
    static List<String> check(KernelConnectionProperties connection, Settings settings) {
        List<String> problems = new ArrayList<>();
        String key = connection.getKey();
        if ((key == null || key.isEmpty()) && !settings.allowUnsignedMessages()) {
            problems.add("the connection file has an empty \"key\", so messages would not be signed and anyone who"
                    + " reaches the kernel's ports could run code; to allow it anyway set -D" + ALLOW_UNSIGNED_PROPERTY
                    + "=true or " + ALLOW_UNSIGNED_VARIABLE + "=true");
        }
        // ipc transport is local by nature; only tcp addresses can be reached from elsewhere
        boolean tcp = connection.getTransport() == null || connection.getTransport().equals("tcp");
        if (tcp && !isLoopback(connection.getIp()) && !settings.allowRemote()) {
            problems.add("the connection file's \"ip\" " + connection.getIp() + " is not a loopback address, so the"
                    + " kernel's ports would be open to the network; to allow it anyway set -D" + ALLOW_REMOTE_PROPERTY
                    + "=true or " + ALLOW_REMOTE_VARIABLE + "=true");
        }
        return problems;
    }

    /** {@code 0.0.0.0}, {@code *}, an empty address and names that do not resolve are not loopback. */
    static boolean isLoopback(String ip) {
        if (ip == null || ip.isBlank() || ip.equals("*")) {
            return false;
        }
        try {
            return InetAddress.getByName(ip).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
