package io.agentpay.gateway.cli;

import io.agentpay.gateway.state.Sids;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The validated configuration of one server process. Every check names the setting and the
 * form it expects; secrets are never part of a message or of {@link #toString()}.
 */
public record ServerConfig(
        String accountSid,
        String apiKey,
        String apiSecret,
        String tokenType,
        String currency,
        String paymentConnector,
        String ngrokAuthToken,
        String ngrokCustomDomain,
        URI publicUrl,
        String callbackHost,
        int callbackPort,
        URI twilioApiBaseUrl,
        String twilioAuthToken,
        Duration sessionTtl,
        Duration tunnelCheckInterval, // null: chosen by the kind of tunnel, see tunnelCheckEvery()
        boolean sandbox,
        HttpEndpoint http, // null: MCP over stdio
        String redisUrl) { // null: sessions in memory

    private static final Set<String> TOKEN_TYPES = Set.of("one-time", "reusable", "payment-method");
    private static final Pattern CURRENCY_CODE = Pattern.compile("[A-Z]{3}");
    private static final Pattern CONNECTOR = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    private static final Pattern DOMAIN = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)+");

    public ServerConfig {
        require(Sids.is(accountSid, Sids.ACCOUNT), Credential.ACCOUNT_SID.display()
                + " must be 'AC' followed by 32 hex characters (your Twilio Account SID, from the Console)" + whatItIs(accountSid) + ".");
        require(Sids.is(apiKey, Sids.API_KEY), Credential.API_KEY.display()
                + " must be 'SK' followed by 32 hex characters (a Twilio API key SID)" + whatItIs(apiKey) + ".");
        require(apiSecret != null && !apiSecret.isBlank(), Credential.API_SECRET.display()
                + " must not be empty: give the secret Twilio showed once when the API key was created.");
        require(TOKEN_TYPES.contains(tokenType), Setting.TOKEN_TYPE.display()
                + " must be one of one-time, reusable, payment-method" + describe(tokenType, false) + ".");
        require(currency != null && CURRENCY_CODE.matcher(currency).matches(), Setting.CURRENCY.display()
                + " must be a three-letter ISO 4217 code such as USD, EUR or GBP" + describe(currency, false) + ".");
        require(paymentConnector != null && CONNECTOR.matcher(paymentConnector).matches(), Setting.PAYMENT_CONNECTOR.display()
                + " must be the unique name of a Pay Connector: letters, digits, '_', '-' or '.'" + describe(paymentConnector, false) + ".");
        require(ngrokCustomDomain == null || DOMAIN.matcher(ngrokCustomDomain).matches(), Setting.NGROK_CUSTOM_DOMAIN.display()
                + " must be a bare host name such as pay.example.ngrok.app (no scheme, no path)" + describe(ngrokCustomDomain, false) + ".");
        require(callbackPort >= 0 && callbackPort <= 65535, Setting.CALLBACK_PORT.display() + " must be a port number from 0 to 65535.");
        require(sessionTtl != null && !sessionTtl.isNegative() && !sessionTtl.isZero(),
                Setting.SESSION_TTL.display() + " must be a positive duration such as 30m, 1h or 90s.");
        require(tunnelCheckInterval == null || !tunnelCheckInterval.isNegative()
                        && (tunnelCheckInterval.isZero() || tunnelCheckInterval.toMillis() >= 1000),
                Setting.TUNNEL_CHECK_INTERVAL.display() + " must be 0 (no check) or at least 1s, such as 15s or 1m.");
        require(redisUrl == null || redisUrl.matches("(?i)rediss?://[^\\s]+"), Setting.REDIS_URL.display()
                + " must be a redis:// or rediss:// URL such as redis://localhost:6379/0" + describe(redisUrl, true) + ".");
        require(sandbox || publicUrl != null || ngrokAuthToken != null,
                "Twilio needs a public URL for its payment callbacks: set " + Setting.PUBLIC_URL.display()
                        + " to a URL that reaches the callback port, or " + Setting.NGROK_AUTH_TOKEN.display()
                        + " to open an ngrok tunnel. To try the server without Twilio, run it with --sandbox.");
    }

    /** How often to check the public URL: as configured, or 30 min for an ngrok URL and 15 s otherwise. */
    public Duration tunnelCheckEvery() {
        if (tunnelCheckInterval != null) {
            return tunnelCheckInterval;
        }
        String host = publicUrl == null ? "" : String.valueOf(publicUrl.getHost()).toLowerCase(Locale.ROOT);
        // ngrok counts every request against the plan, the check's included: ours (or the user's own agent behind PUBLIC_URL).
        boolean ngrok = !sandbox && (publicUrl == null || host.matches(".*\\.ngrok(-free)?\\.(app|dev|io)"));
        return ngrok ? Duration.ofMinutes(30) : Duration.ofSeconds(15);
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new ConfigException(message);
        }
    }

    /** What a credential that is not of its form is instead, without any of its characters. */
    private static String whatItIs(String value) {
        if (value == null || value.isEmpty()) {
            return " (it is missing)";
        }
        if (Sids.is(value, Sids.ACCOUNT)) {
            return " (the value given is an Account SID)";
        }
        if (Sids.is(value, Sids.API_KEY)) {
            return " (the value given is an API key SID)";
        }
        return " (the value given is not of that form; it is not shown)";
    }

    /** A short, safe description of a bad value: its length, and its text only when not secret. */
    private static String describe(String value, boolean secret) {
        if (value == null || value.isEmpty()) {
            return " (it is missing)";
        }
        if (secret || value.length() > 40) {
            return " (got " + value.length() + " characters)";
        }
        return " (got '" + value.replaceAll("[^\\x20-\\x7e]", "?") + "')";
    }

    /** Parses {@code 90s}, {@code 30m}, {@code 1h}, {@code 2d}, {@code 0} or an ISO-8601 duration for {@code setting}. */
    public static Duration parseDuration(Setting setting, String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        try {
            if (t.equals("0")) {
                return Duration.ZERO;
            }
            if (t.startsWith("p")) {
                return Duration.parse(t.toUpperCase(Locale.ROOT));
            }
            long n = Long.parseLong(t.substring(0, t.length() - 1));
            return switch (t.charAt(t.length() - 1)) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                case 'd' -> Duration.ofDays(n);
                default -> throw new NumberFormatException();
            };
        } catch (RuntimeException e) {
            throw new ConfigException(setting.display()
                    + " must be a duration such as 90s, 30m, 1h or PT1H (got '" + text.replaceAll("[^\\x20-\\x7e]", "?") + "').");
        }
    }

    /** Parses a public or API base URL: http(s), a host, no query or fragment. */
    public static URI parseBaseUrl(Setting setting, String text) {
        try {
            URI uri = new URI(text.trim());
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null
                    && uri.getRawQuery() == null && uri.getRawFragment() == null && uri.getUserInfo() == null) {
                String path = uri.getRawPath() == null ? "" : uri.getRawPath();
                return URI.create(scheme + "://" + uri.getRawAuthority() + (path.endsWith("/") ? path.substring(0, path.length() - 1) : path));
            }
        } catch (java.net.URISyntaxException e) {
            // reported below
        }
        throw new ConfigException(setting.display() + " must be an http(s) URL with a host and no query, such as "
                + (setting == Setting.PUBLIC_URL ? "https://pay.example.com" : "https://api.twilio.com") + ".");
    }

    @Override
    public String toString() {
        return "ServerConfig[accountSid=" + accountSid + ", apiKey=" + apiKey + ", tokenType=" + tokenType
                + ", currency=" + currency + ", paymentConnector=" + paymentConnector + ", publicUrl=" + publicUrl
                + ", ngrok=" + (ngrokAuthToken != null) + ", callback=" + callbackHost + ":" + callbackPort
                + ", twilioApiBaseUrl=" + twilioApiBaseUrl + ", signatureCheck=" + (twilioAuthToken != null)
                + ", sessionTtl=" + sessionTtl + ", tunnelCheckInterval=" + tunnelCheckInterval + ", sandbox=" + sandbox + ", http=" + http + ", redis=" + (redisUrl != null) + "]";
    }
}
