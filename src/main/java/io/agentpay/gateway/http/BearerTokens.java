package io.agentpay.gateway.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * The bearer tokens MCP clients may present. Each candidate is compared with every token in
 * constant time (over SHA-256 digests, so neither a token's length nor its matching prefix
 * shows in the timing); no token is ever logged or echoed.
 */
final class BearerTokens {
    private static final String PREFIX = "bearer ";

    private final List<byte[]> digests;

    BearerTokens(List<String> tokens) {
        this.digests = tokens.stream().map(BearerTokens::digest).toList();
    }

    /** No token configured: every request is let through (loopback only, see HttpEndpoint). */
    boolean open() {
        return digests.isEmpty();
    }

    /**
     * Which of the tokens {@code authorization} presents (its index; 0 when none is configured), or -1.
     * Every token is compared, in constant time, whichever matches.
     */
    int which(String authorization) {
        if (open()) {
            return 0;
        }
        if (authorization == null || authorization.length() <= PREFIX.length()
                || !authorization.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
            return -1;
        }
        byte[] presented = digest(authorization.substring(PREFIX.length()).trim());
        int match = -1;
        for (int i = 0; i < digests.size(); i++) {
            if (MessageDigest.isEqual(digests.get(i), presented)) {
                match = i;
            }
        }
        return match;
    }

    private static byte[] digest(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
