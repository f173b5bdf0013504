/**
 * Talking to a model: {@link io.kefu.chat.ChatModel} answers a {@link io.kefu.chat.ChatRequest}
 * with a {@link io.kefu.chat.ChatResponse} or streams {@link io.kefu.chat.ChatChunk}s, and a
 * {@link io.kefu.chat.ChatTemplate} turns a conversation into the exact prompt text a model was
 * trained on. Messages, generation parameters, usage and finish reasons are value types.
 */
package io.kefu.chat;
