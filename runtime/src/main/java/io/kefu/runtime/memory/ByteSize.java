package io.kefu.runtime.memory;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Byte counts as people write them: {@code 24GiB} (2^30), {@code 5GB} (10^9, as transformers'
 * {@code max_shard_size}), {@code 512MiB}, {@code 1000}.
 */
public final class ByteSize {
    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([KMGT]i?B|[KMGT]|B)?", Pattern.CASE_INSENSITIVE);

    private ByteSize() {
    }

    /**
     * @param text the size, e.g. {@code 24GiB}, {@code 5GB}, {@code 24G} (binary, as {@code free -g}) or a plain byte count
     * @param what the option or field it came from, for the error message
     * @throws KefuException {@link ErrorCode#INVALID_ARGUMENT} when the text is not a positive size
     */
    public static long parse(String text, String what) {
        Matcher m = SIZE.matcher(text.trim());
        if (!m.matches()) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, what + " " + text
                    + ": expected a size such as 24GiB, 5GB, 512MiB or a number of bytes");
        }
        String unit = m.group(2) == null ? "B" : m.group(2).toUpperCase(Locale.ROOT);
        boolean binary = unit.length() == 1 || unit.contains("I");
        int power = "BKMGT".indexOf(unit.charAt(0));
        double bytes = Double.parseDouble(m.group(1)) * Math.pow(binary ? 1024 : 1000, power);
        if (bytes < 1 || bytes > Long.MAX_VALUE / 2) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, what + " " + text + ": must be at least one byte");
        }
        return Math.round(bytes);
    }

    /** @return {@code bytes} in GiB with two decimals (whole MiB below 1 GiB), e.g. {@code 14.96 GiB} */
    public static String format(long bytes) {
        if (bytes >= 1L << 30) {
            return String.format(Locale.ROOT, "%.2f GiB", bytes / (double) (1L << 30));
        }
        return String.format(Locale.ROOT, "%.0f MiB", bytes / (double) (1L << 20));
    }
}
