package io.kefu.runtime.hub;

import io.kefu.ErrorCode;
import io.kefu.KefuException;

/**
 * A model repository on the hub and the revision wanted: {@code owner/name} or
 * {@code owner/name@revision} (a branch, tag or commit hash; default {@code main}).
 *
 * @param repo the repository id, {@code owner/name}
 * @param revision the branch, tag or commit hash
 */
public record HubModelId(String repo, String revision) {
    /** The revision used when none is given. */
    public static final String DEFAULT_REVISION = "main";

    /** Checks the repository id and revision. */
    public HubModelId {
        if (repo == null || !repo.matches("[A-Za-z0-9][\\w.-]*/[\\w.-]+") || repo.contains("..")) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT,
                    "hub model id '" + repo + "' is not of the form owner/name");
        }
        if (revision == null || revision.isBlank() || revision.contains("..") || revision.startsWith("/")) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT,
                    "hub model id '" + repo + "': revision '" + revision + "' is not a branch, tag or commit");
        }
    }

    /** @return the id parsed from {@code owner/name} or {@code owner/name@revision} */
    public static HubModelId parse(String value) {
        int at = value.indexOf('@');
        return at < 0 ? new HubModelId(value, DEFAULT_REVISION)
                : new HubModelId(value.substring(0, at), value.substring(at + 1));
    }

    /** @return true when the revision is a full 40-character commit hash */
    public boolean isCommit() {
        return revision.matches("[0-9a-f]{40}");
    }

    /** @return the cache folder name huggingface_hub uses: {@code models--owner--name} */
    public String cacheFolderName() {
        return "models--" + repo.replace("/", "--");
    }

    @Override
    public String toString() {
        return repo + "@" + revision;
    }
}
