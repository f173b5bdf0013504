package io.kefu.shop.augment;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Question rewriting rules ({@code 有货吗 -> 还有库存吗 | 有现货吗}). The shipped lexicon is the resource
 * {@code io/kefu/shop/augment/synonyms.tsv}; a custom one has the same format: one rule per line,
 * {@code PATTERN<TAB>REPLACEMENT|REPLACEMENT...}, {@code #} comments and blank lines ignored.
 * Rules must not contain digits, so rewriting never changes a number an answer relies on.
 */
public final class SynonymLexicon {
    private static final String RESOURCE = "synonyms.tsv";

    /**
     * One rule.
     *
     * @param pattern the text to replace
     * @param replacements what it may become (at least one)
     */
    public record Rule(String pattern, List<String> replacements) {
        /** Copies the replacements and checks for nulls. */
        public Rule {
            Objects.requireNonNull(pattern, "pattern");
            replacements = List.copyOf(replacements);
        }
    }

    private final List<Rule> rules;

    private SynonymLexicon(List<Rule> rules) {
        this.rules = List.copyOf(rules);
    }

    /** @return the shipped lexicon */
    public static SynonymLexicon standard() {
        try (InputStream in = SynonymLexicon.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new KefuException(ErrorCode.INTERNAL, "resource io/kefu/shop/augment/" + RESOURCE + " is missing from the jar");
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), RESOURCE);
        } catch (IOException e) {
            throw new KefuException(ErrorCode.INTERNAL, "cannot read resource " + RESOURCE + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads a lexicon file.
     *
     * @throws KefuException {@link ErrorCode#INVALID_DATA} naming file:line for a malformed rule
     */
    public static SynonymLexicon load(Path file) {
        try {
            return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
        } catch (java.nio.file.NoSuchFileException e) {
            throw new KefuException(ErrorCode.NOT_FOUND, file + ": file not found");
        } catch (IOException e) {
            throw new KefuException(ErrorCode.IO, file + ": cannot read: " + e.getMessage(), e);
        }
    }

    static SynonymLexicon parse(String text, String source) {
        List<Rule> rules = new ArrayList<>();
        try (BufferedReader reader = new BufferedReader(new java.io.StringReader(text))) {
            String line;
            int number = 0;
            while ((line = reader.readLine()) != null) {
                number++;
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] columns = line.split("\t", -1);
                if (columns.length != 2 || columns[0].isBlank() || columns[1].isBlank()) {
                    throw new KefuException(ErrorCode.INVALID_DATA, source + ":" + number
                            + ": expected PATTERN<TAB>REPLACEMENT|REPLACEMENT..., got \"" + line + "\"");
                }
                List<String> replacements = Arrays.stream(columns[1].split("\\|", -1)).map(String::strip).toList();
                if (replacements.stream().anyMatch(String::isEmpty)) {
                    throw new KefuException(ErrorCode.INVALID_DATA, source + ":" + number + ": empty replacement in \"" + columns[1] + "\"");
                }
                if (line.chars().anyMatch(Character::isDigit)) {
                    throw new KefuException(ErrorCode.INVALID_DATA, source + ":" + number
                            + ": rules must not contain digits (rewriting must never change a number)");
                }
                if (replacements.contains(columns[0].strip())) {
                    throw new KefuException(ErrorCode.INVALID_DATA, source + ":" + number + ": a replacement equals the pattern");
                }
                rules.add(new Rule(columns[0].strip(), replacements));
            }
        } catch (IOException e) {
            throw new KefuException(ErrorCode.INTERNAL, "cannot read a string: " + e.getMessage(), e);
        }
        if (rules.isEmpty()) {
            throw new KefuException(ErrorCode.INVALID_DATA, source + ": no rules");
        }
        return new SynonymLexicon(rules);
    }

    /** @return the rules, in file order */
    public List<Rule> rules() {
        return rules;
    }

    /** @return the rules whose pattern occurs in {@code text}, in file order */
    public List<Rule> applicableTo(String text) {
        return rules.stream().filter(r -> text.contains(r.pattern())).toList();
    }
}
