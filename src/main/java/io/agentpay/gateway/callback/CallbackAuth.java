package io.agentpay.gateway.callback;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;

/**
 * Decides whether a callback really comes from Twilio: the URL we gave Twilio carries a long
 * random per-process secret, compared in constant time, and, when the account's auth token is
 * configured, {@code X-Twilio-Signature} must match the public URL and form fields.
 */
public final class CallbackAuth {
    private final byte[] secret;
    private final String secretText;
    private final TwilioSignature validator;

    public CallbackAuth(String secret, String authToken) {
        this.secretText = secret;
        this.secret = secret.getBytes(StandardCharsets.US_ASCII);
        this.validator = authToken == null || authToken.isBlank() ? null : new TwilioSignature(authToken);
    }

    /** 32 random bytes, URL-safe: the path segment that only Twilio learns. */
    public static String newSecret() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    public String secret() {
        return secretText;
    }

    public boolean verifiesSignatures() {
        return validator != null;
    }

    /**
     * True when {@code path} is {@code /callbacks/<this secret>}. The secret is compared in constant
     * time and in place: this runs for every callback, so nothing is copied.
     */
    public boolean pathMatches(String path) {
        int from = CallbackServer.PATH.length();
        if (path == null || path.length() - from != secret.length || !path.startsWith(CallbackServer.PATH)) {
            return false;
        }
        int difference = 0;
        for (int i = 0; i < secret.length; i++) {
            difference |= secret[i] ^ path.charAt(from + i);
        }
        return difference == 0;
    }

    /** True when no auth token is configured, or the signature matches {@code publicUrl} and {@code params}. */
    public boolean signatureMatches(String publicUrl, Map<String, String> params, String signature) {
        if (validator == null) {
            return true;
        }
        return validator.matches(publicUrl, params, signature);
    }
}
