package io.kefu.notebook;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SignatureVerifierTest {
    private static final byte[] HEADER = bytes("{\"a\":1}");
    private static final byte[] PARENT = bytes("{}");
    private static final byte[] METADATA = bytes("{}");
    private static final byte[] CONTENT = bytes("{\"b\":2}");
    /** Python: hmac.new(b"secret", header + parent + metadata + content, hashlib.sha256).hexdigest() */
    static final String SIGNATURE = "9b14d94617bffb278285cea390d9dc17e01ec3188dba313f9548021906557a7b";

    @Test
    void acceptsTheRightSignatureOnly() throws Exception {
        SignatureVerifier verifier = new SignatureVerifier("hmac-sha256", "secret");
        assertThat(verifies(verifier, SIGNATURE)).isTrue();
        assertThat(verifies(verifier, "a" + SIGNATURE.substring(1))).isFalse();
        assertThat(verifies(verifier, SIGNATURE.substring(0, 63) + "c")).isFalse();
        assertThat(verifies(verifier, SIGNATURE.substring(0, 63))).isFalse();
        assertThat(verifies(verifier, SIGNATURE.toUpperCase())).isFalse();
        assertThat(verifies(verifier, "")).isFalse();
        assertThat(verifier.verifies(bytes(SIGNATURE), HEADER, PARENT, METADATA, bytes("{\"b\":3}"))).isFalse();
        assertThat(verifies(new SignatureVerifier("hmac-sha256", "other"), SIGNATURE)).isFalse();
        // the verifier can be used again after a mismatch
        assertThat(verifies(verifier, SIGNATURE)).isTrue();
    }

    @Test
    void withoutAKeyNothingIsSigned() throws Exception {
        assertThat(verifies(new SignatureVerifier("hmac-sha256", ""), "")).isTrue();
    }

    private static boolean verifies(SignatureVerifier verifier, String signature) {
        return verifier.verifies(bytes(signature), HEADER, PARENT, METADATA, CONTENT);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
