package io.agentpay.gateway.callback;

import com.twilio.security.RequestValidator;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
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
    private final RequestValidator validator;

    public CallbackAuth(String secret, String authToken) {
        this.secretText = secret;
        this.secret = secret.getBytes(StandardCharsets.US_ASCII);
        this.validator = authToken == null || authToken.isBlank() ? null : new RequestValidator(authToken);
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

    public boolean secretMatches(String presented) {
        return presented != null && MessageDigest.isEqual(secret, presented.getBytes(StandardCharsets.US_ASCII));
    }

    /** True when no auth token is configured, or the signature matches {@code publicUrl} and {@code params}. */
    public boolean signatureMatches(String publicUrl, Map<String, String> params, String signature) {
        if (validator == null) {
            return true;
        }
        return signature != null && validator.validate(publicUrl, params, signature);
    }
}
