package io.kefu.eval.metrics;

import com.huaban.analysis.jieba.WordDictionary;
import io.kefu.ErrorCode;
import io.kefu.KefuException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Python jieba's default segmentation, {@code jieba.cut(text)} (accurate mode, HMM on), ported
 * line by line: the same block regexes, prefix-dictionary DAG, max-log-frequency route (ties to
 * the longer word, as Python's tuple {@code max} does), and the BMES Viterbi for runs of unknown
 * characters. Whitespace and other characters outside jieba's word blocks become one token each,
 * as in Python.
 *
 * <p>The word frequencies and HMM emission probabilities come from {@code com.huaban:jieba-analysis}
 * (its {@code dict.txt} and {@code prob_emit.txt}); its own segmenter is not used because it
 * lower-cases, folds full-width characters and breaks ties differently from Python. Where it may
 * still differ from Python jieba 0.42.1: that jar's dictionary lacks one entry of Python's
 * ({@code 吉林}), and its emission log-probabilities are rounded to 12 significant digits, which can
 * only flip a Viterbi decision that Python decides by less than that. The golden test checks
 * token-for-token equality with Python jieba on every golden text.
 */
public final class JiebaCut {
    private static final Pattern HAN_DEFAULT = Pattern.compile("([\u4E00-\u9FD5a-zA-Z0-9+#&._%\\-]+)");
    private static final Pattern SKIP_DEFAULT = Pattern.compile("(\r\n|[\\t\\n\\x0B\\f\\r\\x1C-\\x20\\x85\\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000])");
    private static final Pattern HMM_HAN = Pattern.compile("([\u4E00-\u9FD5]+)");
    private static final Pattern HMM_SKIP = Pattern.compile("([a-zA-Z0-9]+(?:\\.\\p{Nd}+)?%?)");
    private static final double MIN_FLOAT = -3.14e100;
    private static final String STATES = "BMES";
    private static final String[] PREV = {"ES", "MB", "BM", "SE"}; // predecessors of B, M, E, S (STATES order)
    private static final double[] START = {-0.26268660809250016, -3.14e+100, -3.14e+100, -1.4652633398537678};

    private static volatile JiebaCut instance;

    private final Map<String, Integer> freq;
    private final double logTotal;
    private final List<Map<Character, Double>> emit;

    private JiebaCut(Map<String, Integer> freq, long total, List<Map<Character, Double>> emit) {
        this.freq = freq;
        this.logTotal = Math.log(total);
        this.emit = emit;
    }

    /** @return the shared segmenter; the dictionary (about 350,000 words) is loaded on first use */
    public static JiebaCut get() {
        JiebaCut local = instance;
        if (local == null) {
            synchronized (JiebaCut.class) {
                local = instance;
                if (local == null) {
                    local = load();
                    instance = local;
                }
            }
        }
        return local;
    }

    /** @return the tokens of {@code jieba.cut(text)}, in order; joined they give back the text */
    public List<String> cut(String text) {
        List<String> out = new ArrayList<>();
        for (Piece block : split(HAN_DEFAULT, text)) {
            if (block.text.isEmpty()) {
                continue;
            }
            if (block.matched) {
                cutDag(block.text, out);
            } else {
                for (Piece x : split(SKIP_DEFAULT, block.text)) {
                    if (x.matched) {
                        out.add(x.text);
                    } else {
                        out.addAll(PythonText.codePoints(x.text));
                    }
                }
            }
        }
        return out;
    }

    private void cutDag(String sentence, List<String> out) {
        int n = sentence.length();
        double[] routeProb = new double[n + 1];
        int[] routeEnd = new int[n + 1];
        for (int idx = n - 1; idx >= 0; idx--) {
            double best = Double.NEGATIVE_INFINITY;
            int bestEnd = -1;
            for (int x : dag(sentence, idx)) {
                Integer f = freq.get(sentence.substring(idx, x + 1));
                double p = Math.log(f == null || f == 0 ? 1 : f) - logTotal + routeProb[x + 1];
                if (p > best || (p == best && x > bestEnd)) {
                    best = p;
                    bestEnd = x;
                }
            }
            routeProb[idx] = best;
            routeEnd[idx] = bestEnd;
        }
        StringBuilder buf = new StringBuilder();
        int x = 0;
        while (x < n) {
            int y = routeEnd[x] + 1;
            String word = sentence.substring(x, y);
            if (y - x == 1) {
                buf.append(word);
            } else {
                flush(buf, out);
                out.add(word);
            }
            x = y;
        }
        flush(buf, out);
    }

    private void flush(StringBuilder buf, List<String> out) {
        if (buf.length() == 0) {
            return;
        }
        String b = buf.toString();
        buf.setLength(0);
        if (b.length() == 1) {
            out.add(b);
            return;
        }
        Integer f = freq.get(b);
        if (f == null || f == 0) {
            hmmCut(b, out);
        } else {
            out.addAll(PythonText.codePoints(b));
        }
    }

    private List<Integer> dag(String sentence, int k) {
        List<Integer> ends = new ArrayList<>();
        int n = sentence.length();
        int i = k;
        String frag = sentence.substring(k, k + 1);
        while (i < n) {
            Integer f = freq.get(frag);
            if (f == null) {
                break;
            }
            if (f > 0) {
                ends.add(i);
            }
            i++;
            frag = sentence.substring(k, Math.min(i + 1, n));
        }
        if (ends.isEmpty()) {
            ends.add(k);
        }
        return ends;
    }

    private void hmmCut(String text, List<String> out) {
        for (Piece block : split(HMM_HAN, text)) {
            if (block.matched) {
                viterbi(block.text, out);
            } else {
                for (Piece x : split(HMM_SKIP, block.text)) {
                    if (!x.text.isEmpty()) {
                        out.add(x.text);
                    }
                }
            }
        }
    }

    private void viterbi(String obs, List<String> out) {
        int len = obs.length();
        double[][] v = new double[len][4];
        int[][] back = new int[len][4];
        for (int y = 0; y < 4; y++) {
            v[0][y] = START[y] + emit.get(y).getOrDefault(obs.charAt(0), MIN_FLOAT);
        }
        for (int t = 1; t < len; t++) {
            for (int y = 0; y < 4; y++) {
                double em = emit.get(y).getOrDefault(obs.charAt(t), MIN_FLOAT);
                double best = Double.NEGATIVE_INFINITY;
                int bestState = -1;
                for (char prevChar : PREV[y].toCharArray()) {
                    int y0 = STATES.indexOf(prevChar);
                    double p = v[t - 1][y0] + trans(y0, y) + em;
                    if (p > best || (p == best && prevChar > STATES.charAt(bestState))) {
                        best = p;
                        bestState = y0;
                    }
                }
                v[t][y] = best;
                back[t][y] = bestState;
            }
        }
        int e = STATES.indexOf('E');
        int s = STATES.indexOf('S');
        int state = v[len - 1][s] >= v[len - 1][e] ? s : e; // tie: 'S' > 'E'
        char[] path = new char[len];
        for (int t = len - 1; t >= 0; t--) {
            path[t] = STATES.charAt(state);
            state = back[t][state];
        }
        int begin = 0;
        int next = 0;
        for (int i = 0; i < len; i++) {
            char pos = path[i];
            if (pos == 'B') {
                begin = i;
            } else if (pos == 'E') {
                out.add(obs.substring(begin, i + 1));
                next = i + 1;
            } else if (pos == 'S') {
                out.add(obs.substring(i, i + 1));
                next = i + 1;
            }
        }
        if (next < len) {
            out.add(obs.substring(next));
        }
    }

    private static double trans(int from, int to) {
        char f = STATES.charAt(from);
        char t = STATES.charAt(to);
        return switch (f) {
            case 'B' -> t == 'E' ? -0.510825623765990 : t == 'M' ? -0.916290731874155 : MIN_FLOAT;
            case 'E' -> t == 'B' ? -0.5897149736854513 : t == 'S' ? -0.8085250474669937 : MIN_FLOAT;
            case 'M' -> t == 'E' ? -0.33344856811948514 : t == 'M' ? -1.2603623820268226 : MIN_FLOAT;
            default -> t == 'B' ? -0.7211965654669841 : t == 'S' ? -0.6658631448798212 : MIN_FLOAT;
        };
    }

    /** One piece of Python's {@code re.split} with a capturing group: the separators are kept. */
    private record Piece(String text, boolean matched) {
    }

    private static List<Piece> split(Pattern pattern, String text) {
        List<Piece> pieces = new ArrayList<>();
        Matcher m = pattern.matcher(text);
        int last = 0;
        while (m.find()) {
            pieces.add(new Piece(text.substring(last, m.start()), false));
            pieces.add(new Piece(m.group(), true));
            last = m.end();
        }
        pieces.add(new Piece(text.substring(last), false));
        return pieces;
    }

    private static JiebaCut load() {
        Map<String, Integer> freq = new HashMap<>(1 << 20);
        long total = 0;
        try (BufferedReader in = open("dict.txt")) {
            String line;
            int lineNo = 0;
            while ((line = in.readLine()) != null) {
                lineNo++;
                String[] parts = PythonText.strip(line).split(" ");
                if (parts.length < 2) {
                    throw new KefuException(ErrorCode.INVALID_DATA, "jieba dict.txt:" + lineNo + ": expected 'word freq', got: " + line);
                }
                String word = parts[0];
                int f = Integer.parseInt(parts[1]);
                freq.put(word, f);
                total += f;
                for (int i = 1; i < word.length(); i++) {
                    freq.putIfAbsent(word.substring(0, i), 0);
                }
            }
        } catch (IOException e) {
            throw new KefuException(ErrorCode.IO, "cannot read jieba dict.txt from jieba-analysis: " + e.getMessage(), e);
        }
        List<Map<Character, Double>> emit = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            emit.add(new HashMap<>());
        }
        try (BufferedReader in = open("prob_emit.txt")) {
            String line;
            Map<Character, Double> current = null;
            while ((line = in.readLine()) != null) {
                String[] parts = line.trim().split("\t");
                if (parts.length == 1 && parts[0].length() == 1 && STATES.indexOf(parts[0].charAt(0)) >= 0) {
                    current = emit.get(STATES.indexOf(parts[0].charAt(0)));
                } else if (parts.length == 2 && current != null) {
                    current.put(parts[0].charAt(0), Double.parseDouble(parts[1]));
                }
            }
        } catch (IOException e) {
            throw new KefuException(ErrorCode.IO, "cannot read jieba prob_emit.txt from jieba-analysis: " + e.getMessage(), e);
        }
        return new JiebaCut(freq, total, emit);
    }

    private static BufferedReader open(String name) throws IOException {
        URL url = WordDictionary.class.getResource("/" + name);
        if (url == null) {
            throw new KefuException(ErrorCode.NOT_FOUND, name + " not found: com.huaban:jieba-analysis must be on the class path");
        }
        InputStream stream = url.openStream();
        return new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8));
    }
}
