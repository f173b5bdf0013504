/**
 * The model's own Hugging Face {@code chat_template}, rendered by Jinjava with a compatibility layer
 * so that the output is byte-identical to Python jinja2 as transformers runs it
 * ({@link io.kefu.runtime.template.HfChatTemplate}). The other classes are that layer: Python string
 * methods, slices, {@code tojson}, value printing and source rewrites for Jinja syntax Jinjava reads
 * differently. Nested interpretation is off, so template syntax typed by a customer is never run.
 *
 * <p>Checked byte for byte against Python's jinja2 (golden files written by
 * {@code scripts/golden/chat_templates.py}) for the real templates of Llama 3, Llama 3.1,
 * Qwen 2.5 and Qwen 3, including conversations with tools and tool calls.
 *
 * <p>Qwen 2.5 and Qwen 3 share one vocabulary and the same added tokens up to id 151664
 * ({@code <|endoftext|>}, {@code <|im_start|>}, {@code <|im_end|>}, {@code <tool_call>},
 * {@code </tool_call>}, ...). Qwen 3 adds four non-special tokens, {@code <tool_response>},
 * {@code </tool_response>}, {@code <think>} and {@code </think>} (ids 151665..151668); in Qwen 2.5
 * these are plain text of several tokens. Their templates differ too: Qwen 2.5 writes a default
 * system prompt ("You are Qwen, created by Alibaba Cloud. ...") when the conversation has none
 * and knows nothing of thinking; Qwen 3 writes no default system prompt and handles
 * {@code <think>} blocks and {@code enable_thinking}.
 */
package io.kefu.runtime.template;
