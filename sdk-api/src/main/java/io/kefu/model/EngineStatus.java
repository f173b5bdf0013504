package io.kefu.model;

/**
 * Whether an engine can be used here.
 *
 * @param id the engine id
 * @param available true when {@link Engines#get(String)} will succeed
 * @param reason why it cannot load (library not found and paths searched, ABI mismatch ...), or
 *     a short description when available
 */
public record EngineStatus(String id, boolean available, String reason) {
}
