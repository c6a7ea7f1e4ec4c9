package io.agentpay.gateway.callback;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Checks {@code X-Twilio-Signature}: base64 of HMAC-SHA1, keyed with the account's auth token, over
 * the URL Twilio posted to followed by each form field's name and value, sorted by name. Accepts
 * exactly what the Twilio SDK's {@code RequestValidator} accepts (the URL as given, or with its
 * default port added or its port removed), at a fraction of the cost: that validator computes both
 * variants, parsing the URL four times and looking up a new {@code Mac} twice, for every request.
 * Here the variant is derived once per URL, each thread keeps its keyed {@code Mac}, the data is fed
 * to it without building a string (once for both variants), and the second variant is signed only when the
 * first fails.
 */
final class TwilioSignature {
    private static final String HMAC = "HmacSHA1";
    private static final int DIGEST_BASE64 = 28;

    private final SecretKeySpec key;
    private final ThreadLocal<Scratch> scratch;
    /** The last URL checked and its other variant: the callback URL changes only when the tunnel does. */
    private volatile Variants last = new Variants("", new byte[0], new byte[0]);

    private record Variants(String url, byte[] asGiven, byte[] other) {}

    /** Per thread: its keyed Mac and reusable buffers, so a check allocates next to nothing. */
    private static final class Scratch {
        final Mac mac;
        byte[] data = new byte[1024];
        final byte[] digest = new byte[20];
        final byte[] encoded = new byte[DIGEST_BASE64];
        String[] names = new String[32];

        Scratch(SecretKeySpec key) {
            try {
                mac = Mac.getInstance(HMAC);
                mac.init(key);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HMAC-SHA1 is unavailable", e);
            }
        }
    }

    TwilioSignature(String authToken) {
        // The SDK keys with the token's bytes in the platform charset; auth tokens are ASCII, so UTF-8 is the same.
        this.key = new SecretKeySpec(authToken.getBytes(StandardCharsets.UTF_8), HMAC);
        this.scratch = ThreadLocal.withInitial(() -> new Scratch(key));
    }

    /** True when {@code signature} is Twilio's for {@code url} and {@code params} (either URL variant). */
    boolean matches(String url, Map<String, String> params, String signature) {
        if (signature == null || signature.length() != DIGEST_BASE64) {
            return false; // a SHA-1 digest in base64 is always 28 characters
        }
        Variants v = variants(url);
        Scratch s = scratch.get();
        int n = signedFields(s, params);
        return matches(s, v.asGiven(), n, signature) || matches(s, v.other(), n, signature);
    }

    /** Signs {@code url} followed by the first {@code n} bytes of the fields; true when that is {@code signature}. */
    private static boolean matches(Scratch s, byte[] url, int n, String signature) {
        s.mac.update(url);
        s.mac.update(s.data, 0, n);
        try {
            s.mac.doFinal(s.digest, 0);
        } catch (javax.crypto.ShortBufferException e) {
            throw new IllegalStateException(e);
        }
        Base64.getEncoder().encode(s.digest, s.encoded);
        int difference = 0;
        for (int i = 0; i < DIGEST_BASE64; i++) {
            difference |= s.encoded[i] ^ signature.charAt(i);
        }
        return difference == 0;
    }

    /** Writes the fields (name, value; sorted by name) into {@code s.data}, once for both URL variants; returns the length. */
    private static int signedFields(Scratch s, Map<String, String> params) {
        int count = params.size();
        if (s.names.length < count) {
            s.names = new String[count];
        }
        int i = 0;
        for (String name : params.keySet()) {
            s.names[i++] = name;
        }
        Arrays.sort(s.names, 0, count);
        int n = 0;
        for (i = 0; i < count; i++) {
            String name = s.names[i];
            String value = params.get(name);
            n = append(s, n, name);
            n = append(s, n, value == null ? "" : value);
        }
        return n;
    }

    /** Appends {@code text} as UTF-8 at {@code n}; returns the new length. */
    private static int append(Scratch s, int n, String text) {
        int length = text.length();
        if (s.data.length - n < length * 3) {
            s.data = Arrays.copyOf(s.data, Math.max(s.data.length * 2, n + length * 3));
        }
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            if (c >= 0x80) {
                byte[] utf8 = text.substring(i).getBytes(StandardCharsets.UTF_8);
                if (s.data.length - n < utf8.length) {
                    s.data = Arrays.copyOf(s.data, n + utf8.length + 1024);
                }
                System.arraycopy(utf8, 0, s.data, n, utf8.length);
                return n + utf8.length;
            }
            s.data[n++] = (byte) c;
        }
        return n;
    }

    private Variants variants(String url) {
        Variants v = last;
        if (!v.url().equals(url)) {
            v = new Variants(url, url.getBytes(StandardCharsets.UTF_8), otherVariant(url).getBytes(StandardCharsets.UTF_8));
            last = v;
        }
        return v;
    }

    /** As the SDK's validator: with the scheme's default port added when none is given, else without its port. */
    static String otherVariant(String url) {
        try {
            URI uri = new URI(url);
            int port = uri.getPort() == -1 ? ("https".equals(uri.getScheme()) ? 443 : 80) : -1;
            try {
                return new URI(uri.getScheme(), uri.getUserInfo(), uri.getHost(), port, uri.getPath(), uri.getQuery(),
                        uri.getFragment()).toString();
            } catch (URISyntaxException e) {
                return uri.toString();
            }
        } catch (URISyntaxException e) {
            return url;
        }
    }
}
