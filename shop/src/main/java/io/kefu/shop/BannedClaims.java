package io.kefu.shop;

import java.util.List;
import java.util.Optional;

/**
 * Absolute claims that advertising rules forbid in sales talk (最低价, 全网最低, 第一 ...). Generated
 * answers never contain them, and augmentation rejects paraphrases that do.
 */
public final class BannedClaims {
    /** The default list, checked as plain substrings. */
    public static final List<String> DEFAULT = List.of(
            "最低价", "全网最低", "史上最低", "最便宜", "第一", "最佳", "最好", "最优", "国家级", "世界级",
            "顶级", "唯一", "100%", "百分百", "绝对", "万能", "永久");

    private BannedClaims() {
    }

    /** @return the first banned claim in {@code text} from the default list, if any */
    public static Optional<String> find(String text) {
        return find(text, DEFAULT);
    }

    /** @return the first claim of {@code banned} that {@code text} contains, if any */
    public static Optional<String> find(String text, List<String> banned) {
        for (String claim : banned) {
            if (text.contains(claim)) {
                return Optional.of(claim);
            }
        }
        return Optional.empty();
    }
}
