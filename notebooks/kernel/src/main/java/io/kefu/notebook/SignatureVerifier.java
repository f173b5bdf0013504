package io.kefu.notebook;

import io.github.spencerpark.jupyter.kernel.KernelConnectionProperties;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Checks a Jupyter message's signature: the lowercase hex HMAC, under the connection file's key and
 * scheme, of the header, parent header, metadata and content frames. The comparison takes the same
 * time wherever the signatures differ. With an empty key (only when allowed, see
 * {@link ConnectionPolicy}) messages are not signed and every message is accepted.
 */
final class SignatureVerifier {
    private final Mac mac;

    SignatureVerifier(String scheme, String key) throws GeneralSecurityException {
        if (key == null || key.isEmpty()) {
            mac = null;
        } else {
            // Jupyter names schemes "hmac-sha256"; the JDK calls the algorithm "HmacSHA256"
            String algorithm = scheme.replace("-", "");
            mac = Mac.getInstance(algorithm);
            mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.US_ASCII), algorithm));
        }
    }

    static SignatureVerifier of(KernelConnectionProperties connection) throws GeneralSecurityException {
        return new SignatureVerifier(connection.getSignatureScheme(), connection.getKey());
    }

    /** Whether {@code signature} (the hex frame as received) signs the four parts. */
    synchronized boolean verifies(byte[] signature, byte[] header, byte[] parentHeader, byte[] metadata, byte[] content) {
        if (mac == null) {
            return true;
        }
        for (byte[] part : new byte[][] {header, parentHeader, metadata, content}) {
            mac.update(part);
        }
        byte[] expected = HexFormat.of().formatHex(mac.doFinal()).getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(expected, signature);
    }
}
