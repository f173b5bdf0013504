package io.kefu.runtime.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * Decodes UTF-8 strictly ({@link CodingErrorAction#REPORT}) and, instead of failing at the first
 * bad byte, remembers where each invalid sequence was (line, column), puts U+FFFD in its place
 * and goes on, so that a reader can report every bad line and keep reading the good ones.
 *
 * <p>A byte order mark at the start is dropped. Lines are counted like {@link java.io.BufferedReader}
 * and Jackson count them: {@code \n}, {@code \r\n} and a lone {@code \r} each end a line.
 */
final class CheckedUtf8Reader extends Reader {
    /** Where an invalid byte sequence was found. */
    record Malformed(long line, long column, String bytes) {
    }

    private final InputStream in;
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    private final ByteBuffer bytes = ByteBuffer.allocate(16 * 1024);
    private final char[] chars = new char[16 * 1024];
    private int charPos;
    private int charEnd;
    private boolean endOfInput;
    private boolean flushed;
    private boolean atStart = true;
    private long line = 1;
    private long column = 1;
    private boolean afterCr;
    /** Only the first bad sequence of each line is kept: one report per line is enough. */
    private final NavigableMap<Long, Malformed> malformed = new TreeMap<>();

    CheckedUtf8Reader(InputStream in) {
        this.in = in;
        bytes.flip();
    }

    @Override
    public int read(char[] buffer, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (charPos == charEnd && !fill()) {
            return -1;
        }
        int n = Math.min(len, charEnd - charPos);
        System.arraycopy(chars, charPos, buffer, off, n);
        charPos += n;
        return n;
    }

    /** @return the first invalid sequence on {@code line}, or null */
    Malformed malformedOn(long lineNumber) {
        return malformed.get(lineNumber);
    }

    /** @return the first invalid sequence on lines {@code from..to} (inclusive), or null */
    Malformed malformedBetween(long from, long to) {
        Map.Entry<Long, Malformed> e = malformed.ceilingEntry(from);
        return e != null && e.getKey() <= to ? e.getValue() : null;
    }

    /** Forgets what was found before {@code lineNumber}, so memory stays bounded on long files. */
    void forgetBefore(long lineNumber) {
        malformed.headMap(lineNumber, false).clear();
    }

    private boolean fill() throws IOException {
        while (!flushed) {
            // leave one slot free so that a replacement character always fits
            CharBuffer out = CharBuffer.wrap(chars, 0, chars.length - 1);
            CoderResult result = decoder.decode(bytes, out, endOfInput);
            int produced = out.position();
            track(0, produced);
            if (result.isError()) {
                byte[] bad = new byte[result.length()];
                bytes.get(bad);
                malformed.putIfAbsent(line, new Malformed(line, column, hex(bad)));
                chars[produced++] = '\uFFFD';
                column++;
                afterCr = false;
            } else if (result.isUnderflow()) {
                if (endOfInput) {
                    if (!flushed) {
                        flushed = true;
                        CharBuffer rest = CharBuffer.wrap(chars, produced, chars.length - 1 - produced);
                        decoder.flush(rest);
                        track(produced, rest.position());
                        produced = rest.position();
                    }
                    if (produced == 0) {
                        return false;
                    }
                } else {
                    refill();
                }
            }
            if (produced > 0) {
                charPos = 0;
                charEnd = produced;
                if (atStart) {
                    atStart = false;
                    if (chars[0] == '\uFEFF') {
                        charPos = 1;
                        if (charPos == charEnd) {
                            continue;
                        }
                    }
                }
                return true;
            }
        }
        return false;
    }

    private void refill() throws IOException {
        bytes.compact();
        int n = in.read(bytes.array(), bytes.position(), bytes.remaining());
        if (n < 0) {
            endOfInput = true;
        } else {
            bytes.position(bytes.position() + n);
        }
        bytes.flip();
    }

    private void track(int from, int to) {
        for (int i = from; i < to; i++) {
            char c = chars[i];
            if (atStart && i == 0 && c == '\uFEFF') {
                continue; // the byte order mark takes no column
            }
            if (c == '\n') {
                if (!afterCr) {
                    line++;
                }
                column = 1;
                afterCr = false;
            } else if (c == '\r') {
                line++;
                column = 1;
                afterCr = true;
            } else {
                column++;
                afterCr = false;
            }
        }
    }

    private static String hex(byte[] bad) {
        StringBuilder sb = new StringBuilder();
        for (byte b : bad) {
            if (sb.length() > 0) {
                sb.append(' ');
            }
            sb.append(String.format("0x%02X", b & 0xFF));
        }
        return sb.toString();
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
