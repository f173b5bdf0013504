package io.kefu.engine.djl;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.chat.ChatMessage;
import io.kefu.data.Dataset;
import io.kefu.data.Example;
import io.kefu.engine.djl.train.PreferencePair;
import io.kefu.engine.djl.train.TokenSequence;
import io.kefu.runtime.tokenize.ChatFeaturizer;
import io.kefu.runtime.tokenize.TrainingFeatures;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Tokenizes preference examples: the conversation with its answer (chosen) and with
 * {@link Example#rejected()} in the answer's place. Only the final answer is trained in both, as
 * LLaMA-Factory's pairwise data does: earlier assistant turns belong to the prompt.
 */
final class PreferenceFeatures {
    private PreferenceFeatures() {
    }

    /**
     * @return one pair per example whose answers both keep a trained token within the length limit
     * @throws KefuException with {@link ErrorCode#INVALID_DATA} naming the first example without a rejected answer
     */
    static List<PreferencePair> of(ChatFeaturizer featurizer, Dataset data) {
        List<PreferencePair> out = new ArrayList<>();
        for (Example example : data) {
            if (example.rejected() == null || example.answer().isEmpty()) {
                throw new KefuException(ErrorCode.INVALID_DATA, example.provenance().location() + ": preference training needs a "
                        + "chosen and a rejected answer on every example ('rejected', or 'chosen'/'rejected' pairs); this one has "
                        + (example.answer().isEmpty() ? "no answer" : "no rejected answer"));
            }
            Optional<TrainingFeatures> chosen = featurizer.featurize(example);
            Optional<TrainingFeatures> rejected = featurizer.featurize(withAnswer(example, example.rejected()));
            if (chosen.isPresent() && rejected.isPresent()) {
                TokenSequence c = lastAnswerOnly(chosen.get());
                TokenSequence r = lastAnswerOnly(rejected.get());
                if (c.trainedTokens() > 0 && r.trainedTokens() > 0) {
                    out.add(new PreferencePair(c, r));
                }
            }
        }
        return out;
    }

    static Example withAnswer(Example example, String answer) {
        List<ChatMessage> messages = new ArrayList<>(example.prompt());
        messages.add(ChatMessage.assistant(answer));
        return new Example(messages, example.intent(), example.strategy(), null, example.metadata(), example.provenance());
    }

    /** Masks every trained token but the last run of them: the final answer and its end-of-turn token. */
    static TokenSequence lastAnswerOnly(TrainingFeatures features) {
        int[] labels = features.labels().clone();
        int end = labels.length;
        while (end > 0 && labels[end - 1] == TokenSequence.IGNORE) {
            end--;
        }
        int start = end;
        while (start > 0 && labels[start - 1] != TokenSequence.IGNORE) {
            start--;
        }
        for (int i = 0; i < start; i++) {
            labels[i] = TokenSequence.IGNORE;
        }
        return new TokenSequence(features.inputIds(), labels);
    }
}
