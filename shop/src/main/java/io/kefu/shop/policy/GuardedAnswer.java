package io.kefu.shop.policy;

import io.kefu.chat.ChatResponse;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * An answer after the conversation policies have looked at it.
 *
 * @param response the answer that may be sent to the customer
 * @param handoff whether the conversation goes to a person
 * @param reason why it was handed off, or null when it was not
 * @param fallback whether a policy had to replace or cut the model's answer (a failed turn)
 * @param notes what the policies did, in order (e.g. {@code grounding: retried: WRONG_STOCK ...}); empty when nothing
 */
public record GuardedAnswer(ChatResponse response, boolean handoff, HandoffReason reason, boolean fallback, List<String> notes) {
    /** Copies the notes and checks that a hand-off has a reason. */
    public GuardedAnswer {
        Objects.requireNonNull(response, "response");
        notes = List.copyOf(notes);
        if (handoff != (reason != null)) {
            throw new IllegalArgumentException("a hand-off needs a reason, and only a hand-off has one");
        }
    }

    /** @return the model's answer as it is: no hand-off, no fallback, no notes */
    public static GuardedAnswer plain(ChatResponse response) {
        return new GuardedAnswer(response, false, null, false, List.of());
    }

    /** @return this answer with a note appended */
    public GuardedAnswer withNote(String note) {
        List<String> all = new ArrayList<>(notes);
        all.add(note);
        return new GuardedAnswer(response, handoff, reason, fallback, all);
    }
}
