package io.kefu.chat;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import java.util.Locale;

/** The author of a chat message, spelled as chat templates expect ({@link #wireName()}). */
public enum Role {
    /** Instructions that frame the conversation. */
    SYSTEM("system"),
    /** The customer. */
    USER("user"),
    /** The model (the shop's agent). */
    ASSISTANT("assistant"),
    /** The result of a tool call. */
    TOOL("tool");

    private final String wireName;

    Role(String wireName) {
        this.wireName = wireName;
    }

    /** @return the lower-case name used in chat templates and the OpenAI API */
    public String wireName() {
        return wireName;
    }

    /**
     * Parses a wire name such as {@code "user"} (case-insensitive).
     *
     * @throws KefuException with {@link ErrorCode#INVALID_ARGUMENT} for an unknown role
     */
    public static Role fromWireName(String name) {
        if (name != null) {
            String lower = name.toLowerCase(Locale.ROOT);
            for (Role role : values()) {
                if (role.wireName.equals(lower)) {
                    return role;
                }
            }
        }
        throw new KefuException(ErrorCode.INVALID_ARGUMENT,
                "unknown role '" + name + "': expected one of system, user, assistant, tool");
    }
}
