package io.kefu.runtime.generate;

import io.kefu.chat.ChatModel;

/** A chat model that batches concurrent calls continuously and says how well that went. */
public interface BatchedChatModel extends ChatModel {
    /** @return counters of the running batches so far */
    BatchingStats batchingStats();
}
