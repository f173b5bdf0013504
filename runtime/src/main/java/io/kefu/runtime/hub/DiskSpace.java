package io.kefu.runtime.hub;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Says "the disk is full" when it is, before a download starts and when a write fails. */
final class DiskSpace {
    /** Below this much free space a failed write is taken for a full disk. */
    private static final long NEARLY_FULL = 1 << 20;

    private DiskSpace() {
    }

    /**
     * @param bytes what a download will write, or -1 when unknown (then nothing is checked)
     * @throws KefuException {@link ErrorCode#RESOURCE_EXHAUSTED} when the folder's file system has less room
     */
    static void require(Path folder, long bytes, String what) {
        if (bytes < 0) {
            return;
        }
        long free = usable(folder);
        if (free >= 0 && free < bytes) {
            throw full(folder, what + " needs " + bytes + " bytes but only " + free + " are free");
        }
    }

    /** @return the error for a failed write: a full disk when the file system is (nearly) full, else an I/O error */
    static KefuException writeFailure(Path file, IOException e, String what) {
        long free = usable(file.getParent());
        String message = String.valueOf(e.getMessage());
        if ((free >= 0 && free < NEARLY_FULL) || message.contains("No space left")) {
            return full(file.getParent(), what + ": writing " + file + " failed (" + message + ")");
        }
        return new KefuException(ErrorCode.IO, what + ": cannot write " + file + ": " + message, e);
    }

    private static KefuException full(Path folder, String detail) {
        return new KefuException(ErrorCode.RESOURCE_EXHAUSTED, "disk full: " + detail + " in " + folder
                + "; free some space or point HF_HOME / HF_HUB_CACHE at a larger disk");
    }

    private static long usable(Path folder) {
        try {
            Path existing = folder;
            while (existing != null && !Files.exists(existing)) {
                existing = existing.getParent();
            }
            return existing == null ? -1 : Files.getFileStore(existing).getUsableSpace();
        } catch (IOException e) {
            return -1;
        }
    }
}
