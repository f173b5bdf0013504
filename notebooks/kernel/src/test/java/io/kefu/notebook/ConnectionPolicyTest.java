package io.kefu.notebook;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.spencerpark.jupyter.kernel.KernelConnectionProperties;
import io.kefu.notebook.ConnectionPolicy.Settings;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConnectionPolicyTest {
    private static final Settings STRICT = new Settings(false, false);

    @Test
    void signedLoopbackConnectionsStart() {
        assertThat(ConnectionPolicy.check(connection("127.0.0.1", "secret"), STRICT)).isEmpty();
        assertThat(ConnectionPolicy.check(connection("::1", "secret"), STRICT)).isEmpty();
        assertThat(ConnectionPolicy.check(connection("localhost", "secret"), STRICT)).isEmpty();
    }

    @Test
    void anEmptyKeyIsRefusedUnlessAllowed() {
        List<String> problems = ConnectionPolicy.check(connection("127.0.0.1", ""), STRICT);
        assertThat(problems).singleElement().asString()
                .contains("empty \"key\"")
                .contains("-Dkefu.kernel.allowUnsignedMessages=true")
                .contains("KEFU_KERNEL_ALLOW_UNSIGNED_MESSAGES=true");
        assertThat(ConnectionPolicy.check(connection("127.0.0.1", ""), new Settings(true, false))).isEmpty();
        assertThat(ConnectionPolicy.check(connection("127.0.0.1", ""), new Settings(false, true))).hasSize(1);
    }

    @Test
    void addressesOtherThanLoopbackAreRefusedUnlessAllowed() {
        for (String ip : new String[] {"0.0.0.0", "*", "192.168.1.5", "10.0.0.1", "::", ""}) {
            List<String> problems = ConnectionPolicy.check(connection(ip, "secret"), STRICT);
            assertThat(problems).as(ip).singleElement().asString()
                    .contains("not a loopback address")
                    .contains("-Dkefu.kernel.allowRemote=true")
                    .contains("KEFU_KERNEL_ALLOW_REMOTE=true");
            assertThat(ConnectionPolicy.check(connection(ip, "secret"), new Settings(false, true))).as(ip).isEmpty();
        }
        assertThat(ConnectionPolicy.check(connection("0.0.0.0", ""), STRICT)).hasSize(2);
    }

    @Test
    void ipcTransportIsLocal() {
        KernelConnectionProperties ipc = new KernelConnectionProperties("kernel-1", 1, 2, 3, 4, 5, "ipc",
                "hmac-sha256", "secret");
        assertThat(ConnectionPolicy.check(ipc, STRICT)).isEmpty();
    }

    @Test
    void settingsComeFromPropertiesThenEnvironment() {
        Map<String, String> none = Map.of();
        assertThat(Settings.from(name -> null, none)).isEqualTo(new Settings(false, false));
        assertThat(Settings.from(name -> "true", none)).isEqualTo(new Settings(true, true));
        assertThat(Settings.from(name -> null, Map.of("KEFU_KERNEL_ALLOW_UNSIGNED_MESSAGES", "TRUE")))
                .isEqualTo(new Settings(true, false));
        assertThat(Settings.from(name -> null, Map.of("KEFU_KERNEL_ALLOW_REMOTE", "true")))
                .isEqualTo(new Settings(false, true));
        // the property wins over the variable, and only "true" allows
        assertThat(Settings.from(name -> "false", Map.of("KEFU_KERNEL_ALLOW_REMOTE", "true")))
                .isEqualTo(new Settings(false, false));
        assertThat(Settings.from(name -> "yes", none)).isEqualTo(new Settings(false, false));
    }

    private static KernelConnectionProperties connection(String ip, String key) {
        return KernelConnectionProperties.parse("{\"ip\": \"" + ip + "\", \"transport\": \"tcp\","
                + " \"shell_port\": 1, \"iopub_port\": 2, \"stdin_port\": 3, \"control_port\": 4, \"hb_port\": 5,"
                + " \"signature_scheme\": \"hmac-sha256\", \"key\": \"" + key + "\"}");
    }
}
