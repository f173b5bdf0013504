package io.kefu.runtime.provenance;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.runtime.format.PeftAdapter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 content hashes as lowercase hex, the form {@code sha256sum} prints. */
public final class Sha256 {
    private Sha256() {
    }

    /**
     * @return the hash of a file's bytes
     * @throws KefuException {@link ErrorCode#NOT_FOUND} or {@link ErrorCode#IO} naming the file
     */
    public static String ofFile(Path file) {
        MessageDigest digest = newDigest();
        update(digest, file);
        return HexFormat.of().formatHex(digest.digest());
    }

    /**
     * The content hash of an adapter folder: the hash of {@code adapter_config.json}'s bytes followed
     * by {@code adapter_model.safetensors}'s, what
     * {@code cat adapter_config.json adapter_model.safetensors | sha256sum} prints. Other files in the
     * folder (such as the provenance record) do not count.
     */
    public static String ofAdapter(Path directory) {
        MessageDigest digest = newDigest();
        update(digest, directory.resolve(PeftAdapter.CONFIG_FILE));
        update(digest, directory.resolve(PeftAdapter.WEIGHTS_FILE));
        return HexFormat.of().formatHex(digest.digest());
    }

    private static void update(MessageDigest digest, Path file) {
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        } catch (NoSuchFileException e) {
            throw new KefuException(ErrorCode.NOT_FOUND, file + ": not found, so it cannot be hashed", e);
        } catch (IOException e) {
            throw new KefuException(ErrorCode.IO, file + ": cannot read: " + e.getMessage(), e);
        }
    }

    private static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK must provide SHA-256", e);
        }
    }
}
