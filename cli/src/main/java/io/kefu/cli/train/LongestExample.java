package io.kefu.cli.train;

import io.kefu.data.Dataset;
import io.kefu.data.Example;
import io.kefu.runtime.data.OverlongPolicy;
import io.kefu.runtime.template.HfChatTemplate;
import io.kefu.runtime.tokenize.ChatFeaturizer;
import io.kefu.runtime.tokenize.HfTokenizer;
import io.kefu.runtime.tokenize.TrainingFeatures;
import io.kefu.train.TrainingConfig;
import io.kefu.train.TrainingMethod;
import java.nio.file.Path;

/**
 * The longest sequence a training run pads a micro-batch to: the trainer pads each micro-batch to its
 * own longest example, so the longest example of the data (rendered with the model's chat template
 * and tokenized as the trainer does, cut at {@link TrainingConfig#maxLength()}) bounds them all.
 */
final class LongestExample {
    private LongestExample() {
    }

    /**
     * @param modelDir the checkpoint folder, for its tokenizer and chat template
     * @return the longest example in tokens, at most the config's max length; the max length itself
     *     for preference training (a pair's answers are featurized by the trainer) or when no example trains
     */
    static int tokens(Path modelDir, TrainingConfig config, Dataset train) {
        if (config.method() != TrainingMethod.SFT) {
            return config.maxLength();
        }
        int longest = 0;
        try (HfTokenizer tokenizer = HfTokenizer.load(modelDir)) {
            ChatFeaturizer featurizer = ChatFeaturizer.builder(tokenizer, HfChatTemplate.fromModelDir(modelDir))
                    .maxLength(config.maxLength()).trainOnPrompt(config.trainOnPrompt())
                    .overlongPolicy(OverlongPolicy.TRUNCATE).build();
            for (Example example : train) {
                longest = Math.max(longest, featurizer.featurize(example).map(TrainingFeatures::length).orElse(0));
            }
        }
        return longest == 0 ? config.maxLength() : longest;
    }
}
