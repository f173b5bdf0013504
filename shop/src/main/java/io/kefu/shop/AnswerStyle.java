package io.kefu.shop;

import java.util.List;
import java.util.Objects;

/**
 * The tone of generated answers: how the assistant greets ({@code {hi}}), its sentence-final particle
 * ({@code {o}}) and its sentence ending ({@code {e}}).
 *
 * @param name a short name recorded in generated data
 * @param greetings greetings, one drawn per answer
 * @param particle softening particle (e.g. {@code 哦}), may be empty
 * @param ending sentence ending (e.g. {@code ~} or {@code 。})
 */
public record AnswerStyle(String name, List<String> greetings, String particle, String ending) {
    /** The sample shop's warm, brief tone: 亲亲/宝子, 哦, ~. */
    public static final AnswerStyle WARM = new AnswerStyle("warm", List.of("亲亲", "宝子"), "哦", "~");
    /** A plain, polite tone (您好, no particle, 。), used for the other shops of a multi-shop corpus. */
    public static final AnswerStyle PLAIN = new AnswerStyle("plain", List.of("您好"), "", "。");

    /** Copies the greetings and checks for nulls. */
    public AnswerStyle {
        Objects.requireNonNull(name, "name");
        greetings = List.copyOf(greetings);
        if (greetings.isEmpty()) {
            throw new IllegalArgumentException("greetings must not be empty");
        }
        Objects.requireNonNull(particle, "particle");
        Objects.requireNonNull(ending, "ending");
    }
}
