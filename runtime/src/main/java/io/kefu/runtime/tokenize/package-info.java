/**
 * Tokenizers: Hugging Face {@code tokenizer.json} through the Rust tokenizers library
 * ({@link io.kefu.runtime.tokenize.HfTokenizer}), the training features of a conversation with the
 * prompt masked out of the labels ({@link io.kefu.runtime.tokenize.ChatFeaturizer}), and a byte-level
 * BPE trainer for small demo models ({@link io.kefu.runtime.tokenize.BpeTrainer}).
 */
package io.kefu.runtime.tokenize;
