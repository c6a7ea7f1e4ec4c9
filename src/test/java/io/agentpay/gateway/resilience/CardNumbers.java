package io.agentpay.gateway.resilience;

import java.util.Random;

/** Luhn-valid card numbers of 12 to 19 digits, plain or grouped with spaces or dashes, for planting. */
public final class CardNumbers {
    private CardNumbers() {}

    /** Prefixes and lengths that card brands issue (Visa, Mastercard, Amex, Discover, Diners, JCB, Maestro, UnionPay, Mir, RuPay). */
    private static final Object[][] BRANDS = {
        {"4", new int[] {13, 16, 19}}, {"51", new int[] {16}}, {"55", new int[] {16}}, {"2221", new int[] {16}},
        {"2720", new int[] {16}}, {"34", new int[] {15}}, {"37", new int[] {15}}, {"6011", new int[] {16, 19}},
        {"65", new int[] {16}}, {"36", new int[] {14}}, {"300", new int[] {14, 16}}, {"3528", new int[] {16, 19}},
        {"6759", new int[] {12, 16, 19}}, {"62", new int[] {16, 19}}, {"2200", new int[] {16}}, {"81", new int[] {16}}};

    /** Published test card numbers of the brands Twilio Pay accepts. */
    public static final java.util.List<String> TEST_CARDS = java.util.List.of("4111111111111111", "4242424242424242",
            "4012888888881881", "4000056655665556", "4222222222222", "5555555555554444", "5105105105105100", "2223003122003222",
            "378282246310005", "371449635398431", "6011111111111117", "6011000990139424", "3530111333300000", "3566002020360505",
            "30569309025904", "38520000023237", "6200000000000005");

    public static String luhnValid(Random random, int length) {
        return luhnValid(random, String.valueOf(2 + random.nextInt(5)), length);
    }

    /** A Luhn-valid number a card brand could issue: one of its prefixes, one of its lengths. */
    public static String plausible(Random random) {
        Object[] brand = BRANDS[random.nextInt(BRANDS.length)];
        int[] lengths = (int[]) brand[1];
        return luhnValid(random, (String) brand[0], lengths[random.nextInt(lengths.length)]);
    }

    private static String luhnValid(Random random, String prefix, int length) {
        int[] digits = new int[length];
        for (int i = 0; i < length - 1; i++) {
            digits[i] = i < prefix.length() ? prefix.charAt(i) - '0' : random.nextInt(10);
        }
        int sum = 0;
        for (int i = length - 2, pos = 0; i >= 0; i--, pos++) {
            int d = digits[i];
            if (pos % 2 == 0) {
                d *= 2;
                if (d > 9) {
                    d -= 9;
                }
            }
            sum += d;
        }
        digits[length - 1] = (10 - sum % 10) % 10;
        StringBuilder out = new StringBuilder();
        for (int d : digits) {
            out.append(d);
        }
        return out.toString();
    }

    /** The same number as a person might type it: plain, in groups of four, with spaces or dashes. */
    public static String formatted(String number, int style) {
        if (style == 0) {
            return number;
        }
        String separator = style == 1 ? " " : "-";
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < number.length(); i++) {
            if (i > 0 && i % 4 == 0) {
                out.append(separator);
            }
            out.append(number.charAt(i));
        }
        return out.toString();
    }
}
