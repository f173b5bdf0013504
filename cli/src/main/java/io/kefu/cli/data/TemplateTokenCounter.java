package io.kefu.cli.data;

import io.kefu.runtime.template.HfChatTemplate;
import io.kefu.runtime.tokenize.HfTokenizer;
import io.kefu.data.Example;
import java.nio.file.Path;
import java.util.function.ToIntFunction;

/**
 * Counts the tokens of an example as training sees it: the whole conversation rendered with the
 * model's chat template (no generation prompt), then tokenized without added special tokens, as
 * {@code io.kefu.runtime.tokenize.ChatFeaturizer} does before it applies the maximum length.
 */
public final class TemplateTokenCounter implements ToIntFunction<Example>, AutoCloseable {
    private final HfTokenizer tokenizer;
    private final HfChatTemplate template;

    private TemplateTokenCounter(HfTokenizer tokenizer, HfChatTemplate template) {
        this.tokenizer = tokenizer;
        this.template = template;
    }

    /** Reads {@code tokenizer.json} and {@code tokenizer_config.json} (with its chat template) from {@code modelDir}. */
    public static TemplateTokenCounter load(Path modelDir) {
        HfChatTemplate template = HfChatTemplate.fromModelDir(modelDir);
        return new TemplateTokenCounter(HfTokenizer.load(modelDir), template);
    }

    @Override
    public int applyAsInt(Example example) {
        return tokenizer.encode(template.render(example.messages(), false)).length;
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
