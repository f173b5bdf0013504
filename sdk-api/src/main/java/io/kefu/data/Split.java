package io.kefu.data;

/**
 * A dataset divided in two.
 *
 * @param train the part to learn from
 * @param test the held-out part
 */
public record Split(Dataset train, Dataset test) {
}
