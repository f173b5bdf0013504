/**
 * The {@code shop} module: a shop's knowledge and the rules its answers keep. This package holds the
 * catalog ({@link io.kefu.shop.ShopCatalog}, {@link io.kefu.shop.Product}, {@link io.kefu.shop.Promotion},
 * {@link io.kefu.shop.SizeChart}, {@link io.kefu.shop.ShopPolicies}), the facts a prompt carries
 * ({@link io.kefu.shop.ProductFacts}, {@link io.kefu.shop.FactsRenderer}, {@link io.kefu.shop.ShopPrompt})
 * and where live facts are read from ({@link io.kefu.shop.FactsSource}, {@link io.kefu.shop.FactsUnavailableException},
 * {@link io.kefu.shop.ShopJson}), and the generator of sample dialogs ({@link io.kefu.shop.DialogGenerator}). Sub-packages:
 * {@code checks} (an answer checked against the facts), {@code rules} (the keyword-and-template
 * baseline), {@code policy} (grounding, compliance and hand-off around any chat model),
 * {@code augment} (more training data from the catalog and from models).
 *
 * <p>Module rule: depends on {@code runtime} and {@code sdk-api}; never on evaluation, HTTP or an engine.
 */
package io.kefu.shop;
