package io.kefu.shop;

import io.kefu.ErrorCode;
import io.kefu.KefuException;

/**
 * The system message of the shop's assistant: a template in which {@value #SHOP_NAME} stands for the shop's name.
 * The dialogs Kefu generates for training use {@link #DEFAULT}; a model tuned on them answers best under it, so
 * change it for a model tuned (or prompted) with another persona.
 *
 * @param template the persona text, 1 to {@value #MAX_CHARS} characters, with {@value #SHOP_NAME} where the name goes
 */
public record Persona(String template) {
    /** The placeholder for the shop's name. */
    public static final String SHOP_NAME = "{shop}";
    /** The longest template taken. */
    public static final int MAX_CHARS = 2000;
    /** The persona of the generated training dialogs. */
    public static final Persona DEFAULT = new Persona(
            "你是" + SHOP_NAME + "的客服,语气亲切简短,只依据【店铺信息】回答,不编造;投诉或处理不了的问题转人工客服。");

    /** @throws KefuException {@link ErrorCode#INVALID_CONFIG} when the template is blank or too long */
    public Persona {
        if (template == null || template.isBlank()) {
            throw new KefuException(ErrorCode.INVALID_CONFIG, "persona: must not be blank");
        }
        if (template.length() > MAX_CHARS) {
            throw new KefuException(ErrorCode.INVALID_CONFIG, "persona: is longer than " + MAX_CHARS + " characters");
        }
    }

    /** @return the system message for {@code shopName} */
    public String render(String shopName) {
        return template.replace(SHOP_NAME, shopName);
    }
}
