package io.kefu.shop.policy;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.shop.BannedClaims;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The claims an answer must never make, and for some of them the words said instead: a claim with a replacement is
 * replaced where it stands (最低价 -> 超值价); a claim without one makes the {@link CompliancePolicy} ask again, then
 * cut the sentence.
 *
 * @param bannedClaims the claims, checked as plain substrings; none blank
 * @param replacements claim to the text said instead; each key is one of {@code bannedClaims}, and no replacement
 *     holds a banned claim
 */
public record ComplianceRules(List<String> bannedClaims, Map<String, String> replacements) {
    /** @throws KefuException {@link ErrorCode#INVALID_CONFIG} naming the claim that breaks a rule above */
    public ComplianceRules {
        bannedClaims = List.copyOf(new LinkedHashSet<>(bannedClaims));
        replacements = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(replacements));
        for (String claim : bannedClaims) {
            if (claim.isBlank()) {
                throw new KefuException(ErrorCode.INVALID_CONFIG, "banned claims: a claim is blank");
            }
        }
        for (Map.Entry<String, String> e : replacements.entrySet()) {
            if (!bannedClaims.contains(e.getKey())) {
                throw new KefuException(ErrorCode.INVALID_CONFIG, "banned claims: '" + e.getKey() + "' has a replacement but is not banned");
            }
            Optional<String> inside = BannedClaims.find(e.getValue(), bannedClaims);
            if (inside.isPresent()) {
                throw new KefuException(ErrorCode.INVALID_CONFIG, "banned claims: the replacement of '" + e.getKey() + "', '" + e.getValue()
                        + "', holds the banned claim '" + inside.get() + "'");
            }
        }
    }

    /** @return {@link BannedClaims#DEFAULT}, no replacements */
    public static ComplianceRules defaults() {
        return new ComplianceRules(BannedClaims.DEFAULT, Map.of());
    }

    /**
     * @param claims more claims, each with its replacement or null (none); a default claim named here gets that replacement
     * @return the defaults with {@code claims} added
     */
    public static ComplianceRules defaultsWith(Map<String, String> claims) {
        List<String> all = new ArrayList<>(BannedClaims.DEFAULT);
        Map<String, String> replacements = new LinkedHashMap<>();
        claims.forEach((claim, replacement) -> {
            all.add(claim);
            if (replacement != null) {
                replacements.put(claim, replacement);
            }
        });
        return new ComplianceRules(all, replacements);
    }

    /** @return {@code text} with every claim that has a replacement replaced, longest claims first */
    public String replace(String text) {
        String out = text;
        for (String claim : replacements.keySet().stream().sorted(Comparator.comparingInt(String::length).reversed()).toList()) {
            out = out.replace(claim, replacements.get(claim));
        }
        return out;
    }
}
