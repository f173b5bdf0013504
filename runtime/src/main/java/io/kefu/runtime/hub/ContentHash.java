package io.kefu.runtime.hub;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;

/**
 * What a hub ETag promises about a file's bytes. Files stored with Git LFS (weights, large
 * tokenizers) have the sha256 of their content as ETag ({@code X-Linked-Etag}); small files kept in
 * git have their git blob id, the sha1 of {@code "blob <size>\0" + content}. Other ETags (from some
 * mirrors) promise nothing checkable.
 */
enum ContentHash {
    /** A 64-hex-digit LFS object id. */
    SHA256,
    /** A 40-hex-digit git blob id. */
    GIT_SHA1;

    /** @return the ETag without quotes or the weak-validator prefix, as huggingface_hub names blobs */
    static String normalizeEtag(String etag) {
        String e = etag.strip();
        if (e.startsWith("W/")) {
            e = e.substring(2);
        }
        if (e.length() >= 2 && e.startsWith("\"") && e.endsWith("\"")) {
            e = e.substring(1, e.length() - 1);
        }
        return e;
    }

    /** @return the hash an ETag names, when it names one */
    static Optional<ContentHash> of(String etag) {
        if (etag.matches("[0-9a-f]{64}")) {
            return Optional.of(SHA256);
        }
        if (etag.matches("[0-9a-f]{40}")) {
            return Optional.of(GIT_SHA1);
        }
        return Optional.empty();
    }

    /** @return the lowercase hex digest of the file's content */
    String digest(Path file) {
        try {
            MessageDigest md = MessageDigest.getInstance(this == SHA256 ? "SHA-256" : "SHA-1");
            if (this == GIT_SHA1) {
                md.update(("blob " + Files.size(file) + "\0").getBytes(StandardCharsets.US_ASCII));
            }
            byte[] buffer = new byte[1 << 16];
            try (InputStream in = Files.newInputStream(file)) {
                for (int n; (n = in.read(buffer)) > 0; ) {
                    md.update(buffer, 0, n);
                }
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new KefuException(ErrorCode.INTERNAL, "the JDK lacks " + this + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new KefuException(ErrorCode.IO, file + ": cannot read to verify its checksum: " + e.getMessage(), e);
        }
    }

    String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
