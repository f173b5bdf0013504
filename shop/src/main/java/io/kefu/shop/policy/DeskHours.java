package io.kefu.shop.policy;

import io.kefu.ErrorCode;
import io.kefu.KefuException;

import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.Objects;

/**
 * When people staff the hand-off desk: every day from {@code opens} to {@code closes} in {@code zone} (past midnight
 * when {@code closes} is earlier than {@code opens}). Outside these hours a hand-off tells the customer when a person
 * will be back.
 *
 * @param opens the first minute staffed
 * @param closes the first minute no longer staffed
 * @param zone the desk's time zone
 */
public record DeskHours(LocalTime opens, LocalTime closes, ZoneId zone) {
    /** @throws KefuException {@link ErrorCode#INVALID_CONFIG} when the desk would open and close at the same minute */
    public DeskHours {
        Objects.requireNonNull(opens, "opens");
        Objects.requireNonNull(closes, "closes");
        Objects.requireNonNull(zone, "zone");
        if (opens.equals(closes)) {
            throw new KefuException(ErrorCode.INVALID_CONFIG, "desk hours: opens and closes at the same time " + opens);
        }
    }

    /**
     * @param hours {@code HH:MM-HH:MM}, e.g. {@code 09:00-23:00}
     * @throws KefuException {@link ErrorCode#INVALID_CONFIG} saying what is wrong with {@code hours}
     */
    public static DeskHours parse(String hours, ZoneId zone) {
        String[] parts = hours.strip().split("-");
        if (parts.length != 2) {
            throw new KefuException(ErrorCode.INVALID_CONFIG, "desk hours: expected HH:MM-HH:MM such as 09:00-23:00, got '" + hours + "'");
        }
        try {
            return new DeskHours(LocalTime.parse(pad(parts[0].strip())), LocalTime.parse(pad(parts[1].strip())), zone);
        } catch (DateTimeParseException e) {
            throw new KefuException(ErrorCode.INVALID_CONFIG, "desk hours: expected HH:MM-HH:MM such as 09:00-23:00, got '" + hours + "'");
        }
    }

    private static String pad(String time) {
        return time.length() == 4 ? "0" + time : time;
    }

    /** @return whether the desk is staffed at {@code now} */
    public boolean isOpen(Instant now) {
        LocalTime t = now.atZone(zone).toLocalTime();
        return opens.isBefore(closes) ? !t.isBefore(opens) && t.isBefore(closes) : !t.isBefore(opens) || t.isBefore(closes);
    }

    /** @return {@code 09:00-23:00} */
    @Override
    public String toString() {
        return opens + "-" + closes;
    }
}
