package io.kefu.runtime.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CheckedUtf8ReaderTest {
    private static String readAll(CheckedUtf8Reader reader) throws IOException {
        StringWriter out = new StringWriter();
        reader.transferTo(out);
        return out.toString();
    }

    private static CheckedUtf8Reader reader(byte[] bytes) {
        return new CheckedUtf8Reader(new ByteArrayInputStream(bytes));
    }

    @Test
    void decodesValidTextAndDropsOnlyALeadingByteOrderMark() throws IOException {
        byte[] bytes = "\uFEFF亲亲\uFEFF\n宝子".getBytes(StandardCharsets.UTF_8);
        CheckedUtf8Reader reader = reader(bytes);
        assertThat(readAll(reader)).isEqualTo("亲亲\uFEFF\n宝子");
        assertThat(reader.malformedBetween(1, Long.MAX_VALUE)).isNull();
    }

    @Test
    void recordsEachBadLineAndReplacesTheBytes() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.writeBytes("ok\r\n".getBytes(StandardCharsets.UTF_8));
        bytes.writeBytes("ab".getBytes(StandardCharsets.UTF_8));
        bytes.write(0xC3); // a lead byte followed by an ASCII byte
        bytes.writeBytes("(\n".getBytes(StandardCharsets.UTF_8));
        bytes.writeBytes("fine\r".getBytes(StandardCharsets.UTF_8));
        bytes.writeBytes("亲".getBytes(StandardCharsets.UTF_8));
        bytes.write(0xFF);
        bytes.write(0xE4); // truncated at the end of the input
        bytes.write(0xBB);
        CheckedUtf8Reader reader = reader(bytes.toByteArray());
        assertThat(readAll(reader)).isEqualTo("ok\r\nab\uFFFD(\nfine\r亲\uFFFD\uFFFD");
        assertThat(reader.malformedOn(1)).isNull();
        assertThat(reader.malformedOn(2)).isEqualTo(new CheckedUtf8Reader.Malformed(2, 3, "0xC3"));
        assertThat(reader.malformedOn(3)).isNull();
        assertThat(reader.malformedOn(4)).isEqualTo(new CheckedUtf8Reader.Malformed(4, 2, "0xFF"));
        assertThat(reader.malformedBetween(3, 9).line()).isEqualTo(4);
        reader.forgetBefore(4);
        assertThat(reader.malformedOn(2)).isNull();
    }

    @Test
    void findsBadBytesFarBeyondTheFirstBuffer() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        String line = "客服".repeat(500) + "\n"; // 3001 bytes
        for (int i = 0; i < 40; i++) {
            bytes.writeBytes(line.getBytes(StandardCharsets.UTF_8));
        }
        bytes.writeBytes("客".getBytes(StandardCharsets.UTF_8));
        bytes.write(0x80);
        bytes.writeBytes("\n".getBytes(StandardCharsets.UTF_8));
        try (BufferedReader lines = new BufferedReader(reader(bytes.toByteArray()))) {
            assertThat(lines.lines().count()).isEqualTo(41);
        }
        CheckedUtf8Reader reader = reader(bytes.toByteArray());
        String text = readAll(reader);
        assertThat(text).hasSize(40 * 1001 + 3);
        assertThat(reader.malformedOn(41)).isEqualTo(new CheckedUtf8Reader.Malformed(41, 2, "0x80"));
        assertThat(reader.malformedBetween(1, 40)).isNull();
    }
}
