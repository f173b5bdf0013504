package io.kefu.runtime.memory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * The memory a new training run can take on this machine: {@code MemAvailable} of
 * {@code /proc/meminfo} (free memory plus the page cache and buffers the kernel can reclaim,
 * without swapping), lowered to what the process's cgroup (v2) limit leaves when one is set.
 * Not the physical total: memory other programs hold is not available to the run.
 */
public final class AvailableMemory {
    private AvailableMemory() {
    }

    /** @return the bytes available here, or empty where {@code /proc/meminfo} cannot be read (not Linux) */
    public static OptionalLong ofThisMachine() {
        OptionalLong available = meminfoAvailable(read(Path.of("/proc/meminfo")));
        if (available.isEmpty()) {
            return available;
        }
        OptionalLong left = cgroupLeft(read(Path.of("/sys/fs/cgroup/memory.max")), read(Path.of("/sys/fs/cgroup/memory.current")));
        return left.isPresent() && left.getAsLong() < available.getAsLong() ? left : available;
    }

    /** @return {@code MemAvailable} in bytes from the text of {@code /proc/meminfo}, or empty when it has none */
    static OptionalLong meminfoAvailable(String meminfo) {
        if (meminfo == null) {
            return OptionalLong.empty();
        }
        for (String line : meminfo.split("\n")) {
            if (line.startsWith("MemAvailable:")) {
                String[] parts = line.substring("MemAvailable:".length()).trim().split("\\s+");
                try {
                    long value = Long.parseLong(parts[0]);
                    return OptionalLong.of(parts.length > 1 && parts[1].equalsIgnoreCase("kB") ? value * 1024 : value);
                } catch (NumberFormatException e) {
                    return OptionalLong.empty();
                }
            }
        }
        return OptionalLong.empty();
    }

    /** @return the cgroup limit less its current use, or empty when there is no limit ({@code max}) or no cgroup file */
    static OptionalLong cgroupLeft(String max, String current) {
        if (max == null || current == null || max.strip().equals("max")) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Math.max(0, Long.parseLong(max.strip()) - Long.parseLong(current.strip())));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException | SecurityException e) {
            return null;
        }
    }
}
