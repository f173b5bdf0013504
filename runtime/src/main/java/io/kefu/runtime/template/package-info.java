/**
 * The model's own Hugging Face {@code chat_template}, rendered by Jinjava with a compatibility layer
 * so that the output is byte-identical to Python jinja2 as transformers runs it
 * ({@link io.kefu.runtime.template.HfChatTemplate}). The other classes are that layer: Python string
 * methods, slices, {@code tojson}, value printing and source rewrites for Jinja syntax Jinjava reads
 * differently. Nested interpretation is off, so template syntax typed by a customer is never run.
 */
package io.kefu.runtime.template;
