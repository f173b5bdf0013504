package io.kefu.shop.augment;

import io.kefu.shop.ShopDialog;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Drops dialogs that repeat an earlier one (same persona, question, facts and answer), which
 * augmentation can produce (a synonym rewrite that lands on a question the data already has, a
 * template that matches a recorded dialog). Dataset validation reports such repeats as duplicates.
 */
public final class Repeats {
    private Repeats() {
    }

    /** @return the dialogs without repeats, first occurrences kept, order unchanged */
    public static List<ShopDialog> drop(List<ShopDialog> dialogs) {
        Set<String> seen = new HashSet<>();
        List<ShopDialog> out = new ArrayList<>(dialogs.size());
        for (ShopDialog d : dialogs) {
            if (seen.add(d.system() + '\u0000' + d.instruction() + '\u0000' + d.input() + '\u0000' + d.output())) {
                out.add(d);
            }
        }
        return out;
    }
}
