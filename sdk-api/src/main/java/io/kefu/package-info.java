/**
 * Kefu's stable API, which depends on the JDK only: the root of every error,
 * {@link io.kefu.KefuException} with its {@link io.kefu.ErrorCode}, and the packages beneath it:
 * {@code chat} (talking to a model), {@code data} (dialog datasets), {@code train} (fine-tuning and
 * adapters), {@code model} (engines and base models), {@code eval} (scoring a model) and
 * {@code spi} (plugging in implementations).
 */
package io.kefu;
