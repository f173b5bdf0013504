package io.kefu.runtime.template;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Rewrites a jinja2 template so that Jinjava evaluates it with jinja2's meaning. Code inside
 * {@code {{ }}} and {@code {% %}} changes only outside string literals:
 * <ul>
 *   <li>slices {@code x[a:b:c]} become {@code x[kefu__slice(a, b, c)]} (Jinjava has no step);
 *   <li>keyword arguments {@code f(k=a|length - 1)} become {@code f(k=(a|length - 1))} (Jinjava
 *       would bind {@code k=a|length} first);
 *   <li>{@code not a == b and c} becomes {@code not (a == b) and c} (in jinja2 {@code not} binds
 *       looser than comparisons, in Jinjava tighter);
 *   <li>line breaks become {@code \n} and one trailing line break is dropped, as jinja2 does
 *       without {@code keep_trailing_newline};
 *   <li>jinja2's whitespace control ({@code trim_blocks}, {@code lstrip_blocks}, {@code -} and
 *       {@code +} markers) is applied to the text here, and comments are removed, so Jinjava
 *       renders text as it stands (line breaks are kept in empty comments so that error line
 *       numbers stay those of the source).
 * </ul>
 *
 * <p>Why one long class: the rewrites share one scanner over the template source (tags, string
 * literals, bracket depth), and each rewrite is a short pass over its tokens.
 */
final class TemplateSourceRewriter {
    static final String SLICE_FUNCTION = "kefu__slice";

    /** Words after which a {@code [} opens a list literal, not a subscript, and a {@code not} is unary. */
    private static final Set<String> KEYWORDS = Set.of("and", "or", "not", "if", "elif", "else", "in", "is",
            "for", "set", "return", "print", "do", "with");
    private static final Set<String> NOT_STOPS = Set.of("and", "or", "if", "else", ",", ":");

    private TemplateSourceRewriter() {
    }

    static String rewrite(String source) {
        // jinja2 reads every line break of the source as \n, and drops one at the very end
        String text = source.replace("\r\n", "\n").replace('\r', '\n');
        if (text.endsWith("\n")) {
            text = text.substring(0, text.length() - 1);
        }
        List<Object> parts = lex(text);
        applyWhitespaceControl(parts);
        StringBuilder out = new StringBuilder(text.length() + 64);
        for (Object part : parts) {
            if (part instanceof Text t) {
                out.append(t.kept);
                appendLineBreaks(out, t.removedLineBreaks);
            } else {
                Tag tag = (Tag) part;
                if (tag.kind == '#') {
                    appendLineBreaks(out, tag.lineBreaks());
                } else {
                    String code = rewriteCode(tag.code, tag.name());
                    out.append(tag.kind == '{' ? "{{" : "{%").append(code).append(tag.kind == '{' ? "}}" : "%}");
                }
            }
        }
        return out.toString();
    }

    /** Keeps line numbers of error messages right where whitespace control removed line breaks. */
    private static void appendLineBreaks(StringBuilder out, int count) {
        if (count > 0) {
            out.append("{#").append("\n".repeat(count)).append("#}");
        }
    }

    /** Text between tags: what is kept after whitespace control, and how many line breaks were removed. */
    private static final class Text {
        String kept;
        int removedLineBreaks;
        /** Whether the previous tag's end consumed a line break (jinja2's {@code line_starting}). */
        boolean lineStarting;

        Text(String text) {
            this.kept = text;
        }

        void remove(int from, int to) {
            removedLineBreaks += (int) kept.substring(from, to).chars().filter(c -> c == '\n').count();
            kept = kept.substring(0, from) + kept.substring(to);
        }
    }

    /** A tag: kind is '{' (expression), '%' (statement) or '#' (comment); left/right are '-', '+' or 0. */
    private record Tag(char kind, char left, String code, char right, String source) {
        String name() {
            return kind == '%' ? firstWord(code) : "";
        }

        int lineBreaks() {
            return (int) source.chars().filter(c -> c == '\n').count();
        }
    }

    private static List<Object> lex(String text) {
        List<Object> parts = new ArrayList<>();
        int i = 0;
        while (i < text.length()) {
            int open = nextOpening(text, i);
            if (open < 0) {
                parts.add(new Text(text.substring(i)));
                break;
            }
            parts.add(new Text(text.substring(i, open)));
            char kind = text.charAt(open + 1);
            String closing = kind == '{' ? "}}" : kind == '%' ? "%}" : "#}";
            int close = kind == '#' ? text.indexOf("#}", open + 2) : closingDelimiter(text, open + 2, closing);
            if (close < 0) {
                // unterminated: leave it to the parser to report
                parts.add(new Text(text.substring(open)));
                break;
            }
            int codeStart = open + 2;
            char left = 0;
            if (codeStart < close && (text.charAt(codeStart) == '-' || text.charAt(codeStart) == '+')) {
                left = text.charAt(codeStart++);
            }
            int codeEnd = close;
            char right = 0;
            if (codeEnd > codeStart && (text.charAt(codeEnd - 1) == '-' || text.charAt(codeEnd - 1) == '+')) {
                right = text.charAt(--codeEnd);
            }
            Tag tag = new Tag(kind, left, text.substring(codeStart, codeEnd), right, text.substring(open, close + 2));
            parts.add(tag);
            i = close + 2;
            if (tag.name().equals("raw")) {
                int endRaw = findEndRaw(text, i);
                parts.add(new Text(text.substring(i, endRaw)));
                i = endRaw;
            }
        }
        parts.add(new Text(""));
        return parts;
    }

    /**
     * jinja2's lexer rules with {@code trim_blocks} and {@code lstrip_blocks}: {@code -} strips
     * all whitespace on its side; a statement or comment tag eats one line break after it and the
     * spaces and tabs before it when nothing else precedes it on its line; {@code +} turns both off.
     */
    private static void applyWhitespaceControl(List<Object> parts) {
        boolean lineStarting = true;
        for (int p = 0; p < parts.size(); p++) {
            if (parts.get(p) instanceof Text t) {
                t.lineStarting = lineStarting;
                continue;
            }
            Tag tag = (Tag) parts.get(p);
            Text before = p > 0 && parts.get(p - 1) instanceof Text t ? t : null;
            Text after = p + 1 < parts.size() && parts.get(p + 1) instanceof Text t ? t : null;
            if (before != null) {
                if (tag.left == '-') {
                    before.remove(PythonStrings.strip(before.kept, null, false, true).length(), before.kept.length());
                } else if (tag.left != '+' && tag.kind != '{') {
                    int lineStart = before.kept.lastIndexOf('\n') + 1;
                    String rest = before.kept.substring(lineStart);
                    if ((lineStart > 0 || before.lineStarting) && rest.chars().allMatch(c -> c == ' ' || c == '\t')) {
                        before.remove(lineStart, before.kept.length());
                    }
                }
            }
            lineStarting = false;
            if (after != null) {
                if (tag.right == '-') {
                    String kept = PythonStrings.strip(after.kept, null, true, false);
                    String removed = after.kept.substring(0, after.kept.length() - kept.length());
                    lineStarting = removed.endsWith("\n");
                    after.remove(0, removed.length());
                } else if (tag.right != '+' && tag.kind != '{' && !tag.name().equals("raw") && after.kept.startsWith("\n")) {
                    after.remove(0, 1);
                    lineStarting = true;
                }
            }
        }
    }

    private static int nextOpening(String text, int from) {
        for (int i = text.indexOf('{', from); i >= 0 && i + 1 < text.length(); i = text.indexOf('{', i + 1)) {
            char next = text.charAt(i + 1);
            if (next == '{' || next == '%' || next == '#') {
                return i;
            }
        }
        return -1;
    }

    private static int closingDelimiter(String text, int from, String closing) {
        char quote = 0;
        for (int i = from; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quote != 0) {
                if (c == '\\') {
                    i++;
                } else if (c == quote) {
                    quote = 0;
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
            } else if (text.startsWith(closing, i)) {
                return i;
            }
        }
        return -1;
    }

    private static int findEndRaw(String text, int from) {
        int at = from;
        while ((at = text.indexOf("{%", at)) >= 0) {
            int close = text.indexOf("%}", at);
            String inner = text.substring(at + 2, close < 0 ? text.length() : close).replace("-", "").strip();
            if (inner.equals("endraw")) {
                return at;
            }
            at += 2;
        }
        return text.length();
    }

    private static String firstWord(String code) {
        String trimmed = code.strip();
        int end = 0;
        while (end < trimmed.length() && Character.isJavaIdentifierPart(trimmed.charAt(end))) {
            end++;
        }
        return trimmed.substring(0, end);
    }

    static String rewriteCode(String code, String tag) {
        List<Token> tokens = Token.scan(code);
        boolean rewriteKeywordArguments = !tag.equals("macro") && !tag.equals("call");
        return new Rewriter(tokens, rewriteKeywordArguments).rewrite(0, tokens.size()) + trailingSpace(code);
    }

    private static String trailingSpace(String code) {
        int end = code.length();
        while (end > 0 && Character.isWhitespace(code.charAt(end - 1))) {
            end--;
        }
        return code.substring(end);
    }

    /** One lexical token with the whitespace before it. */
    private record Token(String space, String text, Kind kind) {
        enum Kind { NAME, NUMBER, STRING, OPERATOR }

        static List<Token> scan(String code) {
            List<Token> tokens = new ArrayList<>();
            int i = 0;
            int n = code.length();
            while (i < n) {
                int spaceStart = i;
                while (i < n && Character.isWhitespace(code.charAt(i))) {
                    i++;
                }
                if (i >= n) {
                    break;
                }
                String space = code.substring(spaceStart, i);
                char c = code.charAt(i);
                int start = i;
                Kind kind;
                if (c == '\'' || c == '"') {
                    i++;
                    while (i < n && code.charAt(i) != c) {
                        i += code.charAt(i) == '\\' ? 2 : 1;
                    }
                    i = Math.min(i + 1, n);
                    kind = Kind.STRING;
                } else if (Character.isJavaIdentifierStart(c)) {
                    while (i < n && Character.isJavaIdentifierPart(code.charAt(i))) {
                        i++;
                    }
                    kind = Kind.NAME;
                } else if (Character.isDigit(c)) {
                    while (i < n && (Character.isDigit(code.charAt(i)) || code.charAt(i) == '.'
                            || code.charAt(i) == '_')) {
                        i++;
                    }
                    kind = Kind.NUMBER;
                } else {
                    String two = i + 1 < n ? code.substring(i, i + 2) : "";
                    i += Set.of("==", "!=", "<=", ">=", "//", "**").contains(two) ? 2 : 1;
                    kind = Kind.OPERATOR;
                }
                tokens.add(new Token(space, code.substring(start, i), kind));
            }
            return tokens;
        }

        boolean is(String s) {
            return text.equals(s);
        }

        /** Whether this token ends an operand, so that a following {@code [} is a subscript. */
        boolean endsOperand() {
            return switch (kind) {
                case NAME -> !KEYWORDS.contains(text);
                case NUMBER, STRING -> true;
                case OPERATOR -> is(")") || is("]") || is("}");
            };
        }
    }

    private static final class Rewriter {
        private final List<Token> tokens;
        private final boolean rewriteKeywordArguments;

        Rewriter(List<Token> tokens, boolean rewriteKeywordArguments) {
            this.tokens = tokens;
            this.rewriteKeywordArguments = rewriteKeywordArguments;
        }

        String rewrite(int from, int to) {
            StringBuilder out = new StringBuilder();
            int i = from;
            while (i < to) {
                Token t = tokens.get(i);
                Token previous = i > from ? tokens.get(i - 1) : null;
                if (t.is("(") || t.is("[") || t.is("{")) {
                    int close = matching(i, to);
                    boolean afterOperand = previous != null && previous.endsOperand();
                    List<int[]> colonParts = t.is("[") && afterOperand ? split(i + 1, close, ":") : List.of();
                    if (colonParts.size() > 1) {
                        out.append(t.space()).append('[').append(SLICE_FUNCTION).append('(');
                        for (int p = 0; p < 3; p++) {
                            if (p > 0) {
                                out.append(", ");
                            }
                            String part = p < colonParts.size() ? rewrite(colonParts.get(p)[0], colonParts.get(p)[1]).strip() : "";
                            out.append(part.isEmpty() ? "none" : part);
                        }
                        out.append(")").append(close < to ? tokens.get(close).space() : "").append(']');
                    } else if (t.is("(") && afterOperand && previous.kind() == Token.Kind.NAME && rewriteKeywordArguments) {
                        out.append(t.space()).append('(');
                        List<int[]> arguments = split(i + 1, close, ",");
                        for (int a = 0; a < arguments.size(); a++) {
                            if (a > 0) {
                                out.append(',');
                            }
                            out.append(argument(arguments.get(a)[0], arguments.get(a)[1]));
                        }
                        out.append(close < to ? tokens.get(close).space() + ")" : "");
                    } else {
                        out.append(t.space()).append(t.text()).append(rewrite(i + 1, close));
                        if (close < to) {
                            out.append(tokens.get(close).space()).append(tokens.get(close).text());
                        }
                    }
                    i = close + 1;
                } else if (t.is("not") && (previous == null || !previous.endsOperand() && !previous.is("is"))
                        && (i + 1 >= to || !tokens.get(i + 1).is("in"))) {
                    int end = notOperandEnd(i + 1, to);
                    out.append(t.space()).append("not (").append(rewrite(i + 1, end).stripLeading()).append(')');
                    i = end;
                } else {
                    out.append(t.space()).append(t.text());
                    i++;
                }
            }
            return out.toString();
        }

        private String argument(int from, int to) {
            if (to - from >= 3 && tokens.get(from).kind() == Token.Kind.NAME && tokens.get(from + 1).is("=")) {
                return tokens.get(from).space() + tokens.get(from).text() + tokens.get(from + 1).space() + "=("
                        + rewrite(from + 2, to).stripLeading() + ")";
            }
            return rewrite(from, to);
        }

        private int notOperandEnd(int from, int to) {
            int i = from;
            while (i < to) {
                Token t = tokens.get(i);
                if (NOT_STOPS.contains(t.text()) && t.kind() != Token.Kind.STRING) {
                    return i;
                }
                i = t.is("(") || t.is("[") || t.is("{") ? matching(i, to) + 1 : i + 1;
            }
            return to;
        }

        /** @return the index of the bracket closing the one at {@code open}, or {@code to} if unbalanced */
        private int matching(int open, int to) {
            int depth = 0;
            for (int i = open; i < to; i++) {
                Token t = tokens.get(i);
                if (t.kind() != Token.Kind.OPERATOR) {
                    continue;
                }
                if (t.is("(") || t.is("[") || t.is("{")) {
                    depth++;
                } else if (t.is(")") || t.is("]") || t.is("}")) {
                    depth--;
                    if (depth == 0) {
                        return i;
                    }
                }
            }
            return to;
        }

        /** Splits {@code [from, to)} at top-level {@code separator} tokens. */
        private List<int[]> split(int from, int to, String separator) {
            List<int[]> parts = new ArrayList<>();
            int start = from;
            int i = from;
            while (i < to) {
                Token t = tokens.get(i);
                if (t.kind() == Token.Kind.OPERATOR && t.is(separator)) {
                    parts.add(new int[] {start, i});
                    start = i + 1;
                    i++;
                } else {
                    i = t.is("(") || t.is("[") || t.is("{") ? matching(i, to) + 1 : i + 1;
                }
            }
            parts.add(new int[] {start, to});
            return parts;
        }
    }
}
