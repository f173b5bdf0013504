package io.kefu.shop.policy;

import io.kefu.chat.ChatChunk;
import io.kefu.chat.ChatModel;
import io.kefu.chat.ChatRequest;
import io.kefu.chat.ChatResponse;
import io.kefu.chat.ChatStream;
import io.kefu.chat.FinishReason;
import io.kefu.shop.checks.BusinessChecks;
import io.kefu.shop.BannedClaims;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;

/**
 * Never sends a banned absolute claim (最低价, 全网最低, 第一 ... — the configurable list the
 * evaluator's {@link BusinessChecks} use). A claim with a replacement ({@link ComplianceRules}) is replaced where it
 * stands. A whole answer with a banned claim is asked for once
 * more with a reminder; if the retry still has one, the sentences holding banned claims are cut;
 * if nothing is left, the conversation is handed off ({@link HandoffReason#COMPLIANCE_FAILED}).
 *
 * <p>Streaming holds back the last {@code longest claim - 1} characters, so a claim is seen
 * complete before any of it leaves; when one appears, generation is cancelled and the stream ends
 * with the text already sent, which holds no banned claim; a claim with a replacement is replaced in the held-back
 * text and the stream goes on.
 */
public final class CompliancePolicy extends PolicyChatModel {
    /** How the notes this policy adds to a {@link GuardedAnswer} begin: one, but a replacement's, means it stopped a banned claim. */
    public static final String NOTE_PREFIX = "compliance: ";
    /** How the note begins when a claim was replaced: the answer went out as meant, so nothing was blocked. */
    private static final String REPLACED_NOTE_PREFIX = NOTE_PREFIX + "replaced ";

    private final ComplianceRules rules;
    private final List<String> banned;
    private final int holdBack;

    /**
     * @param inner the model whose answers are filtered
     * @param bannedClaims the claims never to send (e.g. {@code BusinessChecks.defaults().bannedClaims()})
     */
    public CompliancePolicy(ChatModel inner, List<String> bannedClaims) {
        this(inner, new ComplianceRules(bannedClaims, java.util.Map.of()));
    }

    /**
     * @param inner the model whose answers are filtered
     * @param rules the claims never to send, and the replacements of some of them
     */
    public CompliancePolicy(ChatModel inner, ComplianceRules rules) {
        super(inner);
        this.rules = rules;
        this.banned = rules.bannedClaims();
        this.holdBack = Math.max(0, banned.stream().mapToInt(String::length).max().orElse(1) - 1);
    }

    /** A compliance policy with {@link BannedClaims#DEFAULT}. */
    public CompliancePolicy(ChatModel inner) {
        this(inner, BannedClaims.DEFAULT);
    }

    /**
     * @return true when this policy stopped a banned claim on the way to {@code answer} (a retry, a cut, or a hand-off);
     *     a claim replaced by its configured replacement is not a stop
     */
    public static boolean blocked(GuardedAnswer answer) {
        return answer.notes().stream().anyMatch(note -> note.startsWith(NOTE_PREFIX) && !note.startsWith(REPLACED_NOTE_PREFIX));
    }

    /** @return the claims this policy never sends */
    public List<String> bannedClaims() {
        return banned;
    }

    @Override
    public GuardedAnswer answer(ChatRequest request) {
        long start = System.nanoTime();
        GuardedAnswer first = replaced(innerAnswer(request), start);
        Optional<String> claim = BannedClaims.find(first.response().text(), banned);
        if (claim.isEmpty()) {
            return first;
        }
        GuardedAnswer retry = replaced(innerAnswer(withInstruction(request, "\n注意:不要使用" + String.join("、", banned) + "等绝对化用语。")),
                start);
        Optional<String> again = BannedClaims.find(retry.response().text(), banned);
        if (again.isEmpty()) {
            return retry.withNote(NOTE_PREFIX + "retried after the banned claim '" + claim.get() + "'");
        }
        Duration latency = Duration.ofNanos(System.nanoTime() - start);
        String cut = withoutBannedSentences(retry.response().text());
        String note = NOTE_PREFIX + "banned claim '" + claim.get() + "', retry '" + again.get() + "'";
        if (!cut.isBlank()) {
            return new GuardedAnswer(replaceText(retry.response(), cut, latency), retry.handoff(), retry.reason(), true,
                    List.of(note + "; sentences cut"));
        }
        return new GuardedAnswer(replaceText(retry.response(), HandoffPolicy.HANDOFF_ANSWER, latency), true,
                HandoffReason.COMPLIANCE_FAILED, true, List.of(note + "; handed off"));
    }

    /** @return the answer with the claims that have a replacement replaced, and a note saying so */
    private GuardedAnswer replaced(GuardedAnswer answer, long start) {
        String text = answer.response().text();
        String fixed = rules.replace(text);
        if (fixed.equals(text)) {
            return answer;
        }
        List<String> notes = new ArrayList<>(answer.notes());
        notes.add(REPLACED_NOTE_PREFIX + rules.replacements().keySet().stream().filter(text::contains).toList());
        return new GuardedAnswer(replaceText(answer.response(), fixed, Duration.ofNanos(System.nanoTime() - start)), answer.handoff(),
                answer.reason(), answer.fallback(), notes);
    }

    /** @return the text without the sentences (ended by 。！？!?; or a newline) that hold a banned claim */
    String withoutBannedSentences(String text) {
        StringBuilder out = new StringBuilder();
        for (String sentence : sentences(text)) {
            if (BannedClaims.find(sentence, banned).isEmpty()) {
                out.append(sentence);
            }
        }
        return out.toString().strip();
    }

    private static List<String> sentences(String text) {
        List<String> out = new ArrayList<>();
        int from = 0;
        for (int i = 0; i < text.length(); i++) {
            if ("。！？!?；;\n".indexOf(text.charAt(i)) >= 0) {
                out.add(text.substring(from, i + 1));
                from = i + 1;
            }
        }
        if (from < text.length()) {
            out.add(text.substring(from));
        }
        return out;
    }

    @Override
    public ChatStream stream(ChatRequest request) {
        if (inner instanceof PolicyChatModel) {
            return super.stream(request);
        }
        return new FilteredStream(inner.stream(request));
    }

    /** Passes text through with a hold-back window; stops at the first banned claim. */
    private final class FilteredStream implements ChatStream {
        private final ChatStream source;
        private final StringBuilder text = new StringBuilder();
        private int released;
        private volatile boolean blocked;
        private volatile boolean replacedAny;
        private volatile ChatResponse finished;

        FilteredStream(ChatStream source) {
            this.source = source;
        }

        @Override
        public Iterator<ChatChunk> iterator() {
            Iterator<ChatChunk> chunks = source.iterator();
            return new Iterator<>() {
                private ChatChunk next;
                private boolean ended;

                @Override
                public boolean hasNext() {
                    while (next == null && !ended) {
                        if (!blocked && chunks.hasNext()) {
                            ChatChunk chunk = chunks.next();
                            text.append(chunk.text());
                            // a claim is whole before any of it is released (the hold-back), so it is replaced in the unreleased tail
                            String tail = text.substring(released);
                            String fixed = rules.replace(tail);
                            if (!fixed.equals(tail)) {
                                text.setLength(released);
                                text.append(fixed);
                                replacedAny = true;
                            }
                            if (BannedClaims.find(text.toString(), banned).isPresent()) {
                                blocked = true;
                                source.cancel();
                                ended = true;
                            } else {
                                int upTo = safeCut(text, text.length() - holdBack);
                                if (upTo > released) {
                                    next = new ChatChunk(text.substring(released, upTo), chunk.tokenIds(), chunk.logprobs());
                                    released = upTo;
                                } else if (!chunk.tokenIds().isEmpty()) {
                                    next = new ChatChunk("", chunk.tokenIds(), chunk.logprobs());
                                }
                            }
                        } else {
                            ended = true;
                            if (!blocked && text.length() > released) {
                                next = new ChatChunk(text.substring(released), List.of(), List.of());
                                released = text.length();
                            }
                        }
                    }
                    return next != null;
                }

                @Override
                public ChatChunk next() {
                    if (!hasNext()) {
                        throw new NoSuchElementException();
                    }
                    ChatChunk out = next;
                    next = null;
                    return out;
                }
            };
        }

        private int safeCut(CharSequence s, int at) {
            if (at <= 0) {
                return 0;
            }
            return at < s.length() && Character.isHighSurrogate(s.charAt(at - 1)) ? at - 1 : at;
        }

        @Override
        public void cancel() {
            source.cancel();
        }

        @Override
        public boolean isDone() {
            return source.isDone();
        }

        @Override
        public ChatResponse response() {
            ChatResponse raw = source.response();
            if (finished == null) {
                if (blocked) {
                    finished = new ChatResponse(text.substring(0, released), FinishReason.STOP, raw.usage(), raw.promptTokenIds(),
                            List.of(), List.of(), raw.latency());
                } else if (replacedAny) {
                    finished = replaceText(raw, rules.replace(raw.text()), raw.latency());
                } else {
                    finished = raw;
                }
            }
            return finished;
        }

        @Override
        public void close() {
            source.close();
        }
    }
}
