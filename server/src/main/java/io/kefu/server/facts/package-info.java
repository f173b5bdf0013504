/**
 * Where {@code /chat} reads a shop's live facts when they are not in Kefu's own store: the shop's database through a
 * mapping file ({@link io.kefu.server.facts.JdbcFactsSource}) or its HTTP API ({@link io.kefu.server.facts.HttpFactsSource});
 * {@link io.kefu.server.facts.FactsSources} opens the one {@code kefu serve --facts} names.
 */
package io.kefu.server.facts;
