package io.kefu.runtime.tokenize;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Learns a byte-level BPE vocabulary the way GPT-2/Qwen tokenizers are made: text is NFC-normalised,
 * split into Chinese characters and, between them, by Llama 3's pre-tokenizer pattern, each piece turned into bytes (shown as GPT-2's printable
 * byte characters), and the most frequent adjacent pair of symbols is merged, again and again,
 * until the vocabulary is full. Ties go to the pair whose merged string sorts first, so the
 * result depends on the texts alone.
 *
 * <p>The result is written as a standard Hugging Face {@code tokenizer.json} by
 * {@link BpeTokenizerFiles}; the Rust tokenizers library then encodes exactly as training merged.
 */
public final class BpeTrainer {
    /**
     * The first split: every Chinese character is a piece of its own, so merges never join two of
     * them. (Letting merges run across a run of characters, as Qwen's pre-tokenizer does, turns the
     * frequent phrases of a small corpus into single tokens, and a small model then cannot tell
     * what an unseen phrasing of the same question shares with the ones it learned.)
     */
    public static final String HAN_PATTERN = "\\p{Han}";

    /**
     * The second split, of the text between Chinese characters: Llama 3's pattern — contractions,
     * letter runs, digits in groups of up to three, punctuation runs, spaces. (Qwen's splits every
     * digit apart, which doubles the tokens of the number-heavy facts blocks shop dialogs carry.)
     */
    public static final String PRE_TOKENIZER_PATTERN =
            "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    private static final Pattern HAN = Pattern.compile("\\p{IsHan}");
    private static final Pattern PRE_TOKENIZER = Pattern.compile(PRE_TOKENIZER_PATTERN, Pattern.UNICODE_CHARACTER_CLASS);
    private static final char[] BYTE_CHARS = byteChars();

    private final int vocabSize;
    private final int minFrequency;
    private final Map<String, Integer> pieceCounts = new HashMap<>();

    /**
     * @param vocabSize the size of the BPE vocabulary (256 byte symbols plus merges), not counting
     *     special tokens
     * @param minFrequency a pair seen fewer times than this is never merged
     */
    public BpeTrainer(int vocabSize, int minFrequency) {
        if (vocabSize <= 256) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "vocabulary size must be above 256 (the byte symbols), got " + vocabSize);
        }
        if (minFrequency < 1) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "minimum pair frequency must be at least 1, got " + minFrequency);
        }
        this.vocabSize = vocabSize;
        this.minFrequency = minFrequency;
    }

    /** Counts the pre-tokenized pieces of one text. */
    public void add(String text) {
        String normalized = Normalizer.normalize(text, Normalizer.Form.NFC);
        Matcher han = HAN.matcher(normalized);
        int from = 0;
        while (han.find()) {
            addPieces(normalized.substring(from, han.start()));
            pieceCounts.merge(han.group(), 1, Integer::sum);
            from = han.end();
        }
        addPieces(normalized.substring(from));
    }

    private void addPieces(String segment) {
        Matcher m = PRE_TOKENIZER.matcher(segment);
        while (m.find()) {
            pieceCounts.merge(m.group(), 1, Integer::sum);
        }
    }

    /** @return the text's bytes as GPT-2's printable byte characters */
    public static String byteLevel(String piece) {
        byte[] bytes = piece.getBytes(StandardCharsets.UTF_8);
        StringBuilder sb = new StringBuilder(bytes.length);
        for (byte b : bytes) {
            sb.append(BYTE_CHARS[b & 0xff]);
        }
        return sb.toString();
    }

    /** The learned vocabulary (symbol to id, bytes first, then merges in order) and the merges. */
    public record Result(Map<String, Integer> vocab, List<String[]> merges) { }

    /** Runs the merges over everything added so far. */
    public Result train() {
        Map<String, Integer> vocab = new LinkedHashMap<>();
        List<String> symbols = new ArrayList<>();
        for (char c : sortedByteChars()) {
            vocab.put(String.valueOf(c), symbols.size());
            symbols.add(String.valueOf(c));
        }
        List<int[]> words = new ArrayList<>();
        List<Integer> counts = new ArrayList<>();
        for (Map.Entry<String, Integer> e : pieceCounts.entrySet()) {
            String chars = byteLevel(e.getKey());
            int[] word = new int[chars.length()];
            for (int i = 0; i < word.length; i++) {
                word[i] = vocab.get(String.valueOf(chars.charAt(i)));
            }
            words.add(word);
            counts.add(e.getValue());
        }
        PairStats stats = new PairStats();
        for (int w = 0; w < words.size(); w++) {
            stats.addWord(w, words.get(w), counts.get(w));
        }
        List<String[]> merges = new ArrayList<>();
        while (symbols.size() < vocabSize) {
            long best = stats.best(symbols, minFrequency);
            if (best < 0) {
                break;
            }
            int left = (int) (best >>> 32);
            int right = (int) best;
            int merged = symbols.size();
            String text = symbols.get(left) + symbols.get(right);
            symbols.add(text);
            vocab.put(text, merged);
            merges.add(new String[] {symbols.get(left), symbols.get(right)});
            for (int w : stats.wordsWith(best)) {
                int[] before = words.get(w);
                int[] after = mergeWord(before, left, right, merged);
                if (after.length != before.length) {
                    stats.removeWord(w, before, counts.get(w));
                    stats.addWord(w, after, counts.get(w));
                    words.set(w, after);
                }
            }
        }
        return new Result(vocab, merges);
    }

    private static int[] mergeWord(int[] word, int left, int right, int merged) {
        int[] out = new int[word.length];
        int n = 0;
        for (int i = 0; i < word.length; i++) {
            if (i + 1 < word.length && word[i] == left && word[i + 1] == right) {
                out[n++] = merged;
                i++;
            } else {
                out[n++] = word[i];
            }
        }
        return n == word.length ? word : java.util.Arrays.copyOf(out, n);
    }

    /** Pair counts over all words, and which words hold each pair. */
    private static final class PairStats {
        private final Map<Long, Long> counts = new HashMap<>();
        private final Map<Long, Set<Integer>> words = new HashMap<>();

        void addWord(int w, int[] word, int count) {
            for (int i = 0; i + 1 < word.length; i++) {
                long pair = pair(word[i], word[i + 1]);
                counts.merge(pair, (long) count, Long::sum);
                words.computeIfAbsent(pair, k -> new HashSet<>()).add(w);
            }
        }

        void removeWord(int w, int[] word, int count) {
            for (int i = 0; i + 1 < word.length; i++) {
                long pair = pair(word[i], word[i + 1]);
                long left = counts.merge(pair, (long) -count, Long::sum);
                if (left <= 0) {
                    counts.remove(pair);
                }
                Set<Integer> holders = words.get(pair);
                if (holders != null) {
                    holders.remove(w);
                    if (holders.isEmpty()) {
                        words.remove(pair);
                    }
                }
            }
        }

        List<Integer> wordsWith(long pair) {
            Set<Integer> holders = words.get(pair);
            return holders == null ? List.of() : holders.stream().sorted().toList();
        }

        long best(List<String> symbols, int minFrequency) {
            long best = -1;
            long bestCount = 0;
            String bestText = null;
            for (Map.Entry<Long, Long> e : counts.entrySet()) {
                long c = e.getValue();
                if (c < minFrequency || c < bestCount) {
                    continue;
                }
                long p = e.getKey();
                String text = symbols.get((int) (p >>> 32)) + symbols.get((int) p);
                if (c > bestCount || text.compareTo(bestText) < 0) {
                    best = p;
                    bestCount = c;
                    bestText = text;
                }
            }
            return best;
        }

        private static long pair(int left, int right) {
            return ((long) left << 32) | (right & 0xffffffffL);
        }
    }

    /** GPT-2's map from bytes to printable characters: printable Latin-1 stays, the rest moves to 256+. */
    private static char[] byteChars() {
        char[] map = new char[256];
        int next = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            map[b] = printable ? (char) b : (char) (256 + next++);
        }
        return map;
    }

    /** The byte symbols in GPT-2's vocabulary order: printable bytes first, then the moved ones. */
    private static List<Character> sortedByteChars() {
        List<Character> printable = new ArrayList<>();
        List<Character> moved = new ArrayList<>();
        for (char c : BYTE_CHARS) {
            (c < 256 ? printable : moved).add(c);
        }
        printable.addAll(moved);
        return printable;
    }
}
