package io.kefu.engine.djl;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.train.Adapter;
import io.kefu.train.LoraConfig;
import java.nio.file.Path;
import java.util.List;

/**
 * What full fine-tuning returns: no LoRA tensors, since the base model's own weights were trained.
 * Save the model with {@link io.kefu.model.BaseModel#save(Path)}.
 */
final class FullFineTuneResult implements Adapter {
    private final String baseModel;

    FullFineTuneResult(String baseModel) {
        this.baseModel = baseModel;
    }

    /** @return the LoRA defaults; a fully fine-tuned model has no LoRA settings */
    @Override
    public LoraConfig config() {
        return LoraConfig.builder().build();
    }

    @Override
    public String baseModel() {
        return baseModel;
    }

    @Override
    public List<String> tensorNames() {
        return List.of();
    }

    /** @throws KefuException always: full fine-tuning trained the base; save it with BaseModel.save */
    @Override
    public void save(Path directory) {
        throw new KefuException(ErrorCode.UNSUPPORTED, "full fine-tuning produced no adapter; the base model's weights "
                + "were trained: save them with BaseModel.save(" + directory + ")");
    }
}
