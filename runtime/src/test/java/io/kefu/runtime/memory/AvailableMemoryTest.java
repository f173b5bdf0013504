package io.kefu.runtime.memory;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class AvailableMemoryTest {
    @Test
    void readsMemAvailableInKilobytes() {
        String meminfo = "MemTotal:       24576000 kB\nMemFree:         1000000 kB\nMemAvailable:   20000000 kB\nBuffers: 1 kB\n";
        assertThat(AvailableMemory.meminfoAvailable(meminfo)).hasValue(20_000_000L * 1024);
        assertThat(AvailableMemory.meminfoAvailable("MemTotal: 1 kB\n")).isEmpty();
        assertThat(AvailableMemory.meminfoAvailable(null)).isEmpty();
    }

    @Test
    void aCgroupLimitLeavesItsRemainder() {
        assertThat(AvailableMemory.cgroupLeft("8589934592\n", "1073741824\n")).hasValue(7L << 30);
        assertThat(AvailableMemory.cgroupLeft("max\n", "1073741824\n")).isEmpty();
        assertThat(AvailableMemory.cgroupLeft(null, null)).isEmpty();
    }

    @Test
    void thisMachinesFigureIsAtMostItsMemAvailable() throws Exception {
        long available = AvailableMemory.meminfoAvailable(Files.readString(Path.of("/proc/meminfo"))).orElseThrow();
        long here = AvailableMemory.ofThisMachine().orElseThrow();
        // MemAvailable moves while other programs run: allow 256 MiB between the two reads
        assertThat(here).isPositive().isLessThanOrEqualTo(available + (256L << 20));
    }
}
