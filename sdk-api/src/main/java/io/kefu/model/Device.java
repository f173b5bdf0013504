package io.kefu.model;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import java.util.Locale;

/**
 * Where an engine computes: {@code cpu}, {@code cuda} (GPU 0), {@code cuda:N}, or {@code auto} (the
 * first GPU when the engine finds one, else the CPU).
 *
 * @param kind the kind of device
 * @param index the GPU index for {@link Kind#CUDA}, 0 for the others
 */
public record Device(Kind kind, int index) {
    /** Kinds of device. */
    public enum Kind {
        /** The CPU. */
        CPU,
        /** An NVIDIA GPU through CUDA. */
        CUDA,
        /** The engine picks: a GPU when it has one, else the CPU. */
        AUTO
    }

    /** The CPU. */
    public static final Device CPU = new Device(Kind.CPU, 0);
    /** The engine's choice. */
    public static final Device AUTO = new Device(Kind.AUTO, 0);

    /** @throws KefuException {@link ErrorCode#INVALID_ARGUMENT} for a null kind, a negative index or an index on a non-GPU kind */
    public Device {
        if (kind == null) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "device kind is required");
        }
        if (index < 0 || (kind != Kind.CUDA && index != 0)) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "device " + kind.name().toLowerCase(Locale.ROOT) + ":" + index
                    + " is not valid; only cuda takes an index, 0 or more");
        }
    }

    /** @return GPU {@code index} */
    public static Device cuda(int index) {
        return new Device(Kind.CUDA, index);
    }

    /**
     * @param text {@code cpu}, {@code cuda}, {@code cuda:N} or {@code auto}, in any case
     * @throws KefuException {@link ErrorCode#INVALID_ARGUMENT} naming the text when it is none of these
     */
    public static Device parse(String text) {
        String t = text == null ? "" : text.strip().toLowerCase(Locale.ROOT);
        switch (t) {
            case "cpu":
                return CPU;
            case "auto":
                return AUTO;
            case "cuda":
                return cuda(0);
            default:
                break;
        }
        if (t.startsWith("cuda:") && t.length() > 5 && t.substring(5).chars().allMatch(Character::isDigit)) {
            try {
                return cuda(Integer.parseInt(t.substring(5)));
            } catch (NumberFormatException tooLarge) {
                // reported below
            }
        }
        throw new KefuException(ErrorCode.INVALID_ARGUMENT, "device '" + text + "' is not cpu, cuda, cuda:N or auto");
    }

    /** @return the text {@link #parse} reads: {@code cpu}, {@code auto} or {@code cuda:N} */
    @Override
    public String toString() {
        return kind == Kind.CUDA ? "cuda:" + index : kind.name().toLowerCase(Locale.ROOT);
    }
}
