package io.kefu.runtime.hub;

import com.fasterxml.jackson.databind.JsonNode;
import io.kefu.ErrorCode;
import io.kefu.KefuException;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A file's content as the hub's API describes it ({@code siblings} with {@code blobs=true}).
 *
 * @param size bytes, or -1 when not given
 * @param hash the hash to check the bytes against
 * @param digest its lowercase hex value
 */
record ExpectedContent(long size, ContentHash hash, String digest) {
    private static final Logger LOG = LoggerFactory.getLogger(ExpectedContent.class);

    /**
     * @param etag the download's ETag (normalised)
     * @param size the download's size, or -1
     * @param fromApi what the API says of the file, or null
     * @param what names the file in messages
     * @return what the downloaded bytes must be: the hash the ETag names, else the size and hash the
     *     API gave for the file
     * @throws KefuException {@link ErrorCode#REMOTE} when neither names a hash: unverifiable bytes are not cached
     */
    static ExpectedContent forDownload(String etag, long size, ExpectedContent fromApi, String what) {
        Optional<ContentHash> hash = ContentHash.of(etag);
        if (hash.isPresent()) {
            return new ExpectedContent(size, hash.get(), etag);
        }
        if (fromApi != null) {
            LOG.debug("{}: ETag {} is not a content hash; verifying against the API's {} {}", what, etag,
                    fromApi.hash().label(), fromApi.digest());
            return fromApi;
        }
        throw new KefuException(ErrorCode.REMOTE, what + ": the ETag '" + etag + "' is not a content hash and the "
                + "hub's API gives no sha256 or git blob id for the file, so its bytes cannot be verified; refusing to "
                + "download it (use the hub itself, or a mirror that sends content-hash ETags)");
    }

    /** @return what a {@code siblings} entry of the API says of a file's content, if it names a hash */
    static Optional<ExpectedContent> of(JsonNode sibling) {
        JsonNode lfs = sibling.path("lfs");
        String sha256 = lfs.path("sha256").asText("");
        if (ContentHash.of(sha256).orElse(null) == ContentHash.SHA256) {
            return Optional.of(new ExpectedContent(lfs.path("size").asLong(-1), ContentHash.SHA256, sha256));
        }
        String blobId = sibling.path("blobId").asText("");
        if (ContentHash.of(blobId).orElse(null) == ContentHash.GIT_SHA1) {
            return Optional.of(new ExpectedContent(sibling.path("size").asLong(-1), ContentHash.GIT_SHA1, blobId));
        }
        return Optional.empty();
    }
}
