package io.agentpay.gateway.state;

/** Twilio SIDs: a two-letter prefix and 32 hex digits. The one check every layer uses, without a regex. */
public final class Sids {
    public static final String ACCOUNT = "AC";
    public static final String API_KEY = "SK";
    public static final String CALL = "CA";
    public static final String PAYMENT = "PK";

    private Sids() {}

    public static boolean is(String value, String prefix) {
        if (value == null || value.length() != 34 || !value.startsWith(prefix)) {
            return false;
        }
        for (int i = 2; i < 34; i++) {
            char c = value.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
                return false;
            }
        }
        return true;
    }
}
