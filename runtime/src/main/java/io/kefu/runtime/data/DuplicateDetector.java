package io.kefu.runtime.data;

import io.kefu.chat.ChatMessage;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds conversations seen before, exactly or after normalising whitespace (runs of whitespace,
 * including the ideographic space U+3000 and no-break spaces, become one space; ends are trimmed).
 *
 * <p>Only a 128-bit SHA-256 prefix of each conversation is kept (about 100 bytes per example), so
 * memory stays small on large files; a false match would need a SHA-256 prefix collision.
 */
final class DuplicateDetector {
    /**
     * @param first the position (line or index) of the earlier conversation
     * @param exact true for an identical conversation, false for one equal after normalising whitespace
     */
    record Match(long first, boolean exact) {
    }

    private record Key(long high, long low) {
    }

    private final Map<Key, Long> exact = new HashMap<>();
    private final Map<Key, Long> normalised = new HashMap<>();
    private final MessageDigest sha256;

    DuplicateDetector() {
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK must provide SHA-256", e);
        }
    }

    /**
     * Remembers a conversation and says whether it was seen before.
     *
     * @param messages the conversation
     * @param position where it is (a line number or an index), reported for later repeats
     * @return the earlier occurrence, or null if this conversation is new
     */
    Match check(List<ChatMessage> messages, long position) {
        Key exactKey = key(messages, false);
        Long first = exact.putIfAbsent(exactKey, position);
        Key normalisedKey = key(messages, true);
        Long firstNormalised = normalised.putIfAbsent(normalisedKey, position);
        if (first != null) {
            return new Match(first, true);
        }
        return firstNormalised != null ? new Match(firstNormalised, false) : null;
    }

    private Key key(List<ChatMessage> messages, boolean normalise) {
        sha256.reset();
        for (ChatMessage message : messages) {
            sha256.update((byte) message.role().ordinal());
            String content = normalise ? normaliseWhitespace(message.content()) : message.content();
            sha256.update(content.getBytes(StandardCharsets.UTF_8));
            sha256.update((byte) 0);
        }
        ByteBuffer digest = ByteBuffer.wrap(sha256.digest());
        return new Key(digest.getLong(), digest.getLong());
    }

    /** @return the text with each whitespace run replaced by one space, trimmed */
    static String normaliseWhitespace(String text) {
        StringBuilder out = new StringBuilder(text.length());
        boolean space = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isWhitespace(c) || Character.isSpaceChar(c)) {
                space = out.length() > 0;
            } else {
                if (space) {
                    out.append(' ');
                    space = false;
                }
                out.append(c);
            }
        }
        return out.toString();
    }
}
