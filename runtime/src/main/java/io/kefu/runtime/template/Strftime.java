package io.kefu.runtime.template;

import java.time.ZonedDateTime;
import java.time.format.TextStyle;
import java.util.Locale;

/** Python's {@code datetime.strftime} in the C locale, for the {@code strftime_now} template function. */
final class Strftime {
    private Strftime() {
    }

    static String format(ZonedDateTime time, String pattern) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c != '%' || i + 1 >= pattern.length()) {
                out.append(c);
                continue;
            }
            char directive = pattern.charAt(++i);
            boolean unpadded = false;
            if (directive == '-' && i + 1 < pattern.length()) {
                unpadded = true;
                directive = pattern.charAt(++i);
            }
            String pad = unpadded ? "%d" : "%02d";
            switch (directive) {
                case 'a' -> out.append(time.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ENGLISH));
                case 'A' -> out.append(time.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH));
                case 'b', 'h' -> out.append(time.getMonth().getDisplayName(TextStyle.SHORT, Locale.ENGLISH));
                case 'B' -> out.append(time.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH));
                case 'd' -> out.append(String.format(pad, time.getDayOfMonth()));
                case 'e' -> out.append(String.format("%2d", time.getDayOfMonth()));
                case 'm' -> out.append(String.format(pad, time.getMonthValue()));
                case 'y' -> out.append(String.format(pad, time.getYear() % 100));
                case 'Y' -> out.append(time.getYear());
                case 'H' -> out.append(String.format(pad, time.getHour()));
                case 'I' -> out.append(String.format(pad, (time.getHour() + 11) % 12 + 1));
                case 'M' -> out.append(String.format(pad, time.getMinute()));
                case 'S' -> out.append(String.format(pad, time.getSecond()));
                case 'p' -> out.append(time.getHour() < 12 ? "AM" : "PM");
                case 'j' -> out.append(String.format(unpadded ? "%d" : "%03d", time.getDayOfYear()));
                case 'f' -> out.append(String.format("%06d", time.getNano() / 1000));
                case 'w' -> out.append(time.getDayOfWeek().getValue() % 7);
                case 'u' -> out.append(time.getDayOfWeek().getValue());
                case 'F' -> out.append(String.format("%d-%02d-%02d", time.getYear(), time.getMonthValue(), time.getDayOfMonth()));
                case 'T' -> out.append(String.format("%02d:%02d:%02d", time.getHour(), time.getMinute(), time.getSecond()));
                case 'Z' -> out.append(time.getZone().getDisplayName(TextStyle.SHORT, Locale.ENGLISH));
                case 'z' -> out.append(time.getOffset().getId().equals("Z") ? "+0000" : time.getOffset().getId().replace(":", ""));
                case '%' -> out.append('%');
                default -> out.append('%').append(unpadded ? "-" : "").append(directive);
            }
        }
        return out.toString();
    }
}
