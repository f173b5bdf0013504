package io.kefu.runtime.generate;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** UTF-8 safety with a byte-level decode (one token per byte, as byte-level BPE does for rare characters). */
class IncrementalDetokenizerTest {
    /** Token i < 256 is byte i; decoding joins the bytes and decodes UTF-8, malformed tails become U+FFFD. */
    static String decodeBytes(int[] ids) {
        byte[] bytes = new byte[ids.length];
        for (int i = 0; i < ids.length; i++) {
            bytes[i] = (byte) ids[i];
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }

    static int[] tokens(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        int[] ids = new int[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            ids[i] = bytes[i] & 0xFF;
        }
        return ids;
    }

    @Test
    void neverEmitsHalfACharacter() {
        String text = "您好！连衣裙A有S码，库存3件😀。Hi";
        IncrementalDetokenizer d = new IncrementalDetokenizer(IncrementalDetokenizerTest::decodeBytes);
        List<String> deltas = new ArrayList<>();
        for (int id : tokens(text)) {
            deltas.add(d.add(id));
        }
        deltas.add(d.flush());
        assertThat(String.join("", deltas)).isEqualTo(text);
        assertThat(d.text()).isEqualTo(text);
        for (String delta : deltas) {
            assertThat(delta).doesNotContain("\uFFFD");
            if (!delta.isEmpty()) {
                assertThat(Character.isHighSurrogate(delta.charAt(delta.length() - 1))).isFalse();
            }
        }
        // "您" is three bytes: nothing after the first two, the character after the third
        IncrementalDetokenizer first = new IncrementalDetokenizer(IncrementalDetokenizerTest::decodeBytes);
        int[] nin = tokens("您");
        assertThat(first.add(nin[0])).isEmpty();
        assertThat(first.add(nin[1])).isEmpty();
        assertThat(first.add(nin[2])).isEqualTo("您");
    }

    @Test
    void flushReleasesAnIncompleteTailAsReplacementCharacter() {
        IncrementalDetokenizer d = new IncrementalDetokenizer(IncrementalDetokenizerTest::decodeBytes);
        int[] ids = tokens("好");
        assertThat(d.add('o')).isEqualTo("o");
        assertThat(d.add(ids[0])).isEmpty();
        assertThat(d.flush()).isEqualTo("\uFFFD");
        assertThat(d.flush()).isEmpty();
    }

    @Test
    void decodesOnlyARecentWindowOfTokens() {
        List<Integer> lengths = new ArrayList<>();
        IncrementalDetokenizer d = new IncrementalDetokenizer(ids -> {
            lengths.add(ids.length);
            return decodeBytes(ids);
        });
        for (int id : tokens("a".repeat(500))) {
            d.add(id);
        }
        assertThat(lengths).allMatch(n -> n <= 2);
    }
}
