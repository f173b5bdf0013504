/**
 * Service provider interfaces, found through {@code META-INF/services}: an
 * {@link io.kefu.spi.EngineProvider} plugs in an engine; {@link io.kefu.spi.CoreServices} and
 * {@link io.kefu.spi.EvaluatorProvider} are implemented once, by the {@code runtime} and
 * {@code eval} modules, behind the API's static factories. Applications do not call them.
 */
package io.kefu.spi;
