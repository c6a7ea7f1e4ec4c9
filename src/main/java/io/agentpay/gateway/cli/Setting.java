package io.agentpay.gateway.cli;

/** Every setting the server reads: its option, its environment variable, its default. */
public enum Setting {
    TOKEN_TYPE("--token-type", "TOKEN_TYPE", "reusable", "TYPE",
            "Token to create when tokenizing: one-time, reusable or payment-method (Stripe only).", false),
    CURRENCY("--currency", "CURRENCY", "USD", "CODE", "ISO 4217 currency of charges, e.g. USD, EUR, GBP.", false),
    PAYMENT_CONNECTOR("--payment-connector", "PAYMENT_CONNECTOR", "Default", "NAME",
            "Unique name of the Pay Connector installed on the Twilio account.", false),
    NGROK_AUTH_TOKEN("--ngrok-auth-token", "NGROK_AUTH_TOKEN", null, "TOKEN",
            "ngrok auth token; opens a tunnel for Twilio's callbacks when PUBLIC_URL is not set.", true),
    NGROK_CUSTOM_DOMAIN("--ngrok-custom-domain", "NGROK_CUSTOM_DOMAIN", null, "DOMAIN",
            "Reserved ngrok domain for the tunnel, e.g. pay.example.ngrok.app.", false),
    PUBLIC_URL("--public-url", "PUBLIC_URL", null, "URL",
            "Public base URL that reaches the callback port (your proxy or tunnel); no ngrok tunnel is opened.", false),
    CALLBACK_HOST("--callback-host", "CALLBACK_HOST", "127.0.0.1", "ADDRESS",
            "Address the callback endpoint binds to.", false),
    CALLBACK_PORT("--callback-port", "CALLBACK_PORT", "4000", "PORT",
            "Port of the callback endpoint; moves up when busy; 0 picks any free port.", false),
    TWILIO_API_BASE_URL("--twilio-api-base-url", "TWILIO_API_BASE_URL", "https://api.twilio.com", "URL",
            "Base URL of Twilio's REST API (an emulator's URL for tests).", false),
    TWILIO_AUTH_TOKEN("--twilio-auth-token", "TWILIO_AUTH_TOKEN", null, "TOKEN",
            "Account auth token; when set, X-Twilio-Signature of every callback is verified.", true),
    SESSION_TTL("--session-ttl", "SESSION_TTL", "1h", "DURATION",
            "How long an idle or finished payment session is kept, e.g. 30m, 1h, 90s.", false),
    TUNNEL_CHECK_INTERVAL("--tunnel-check-interval", "TUNNEL_CHECK_INTERVAL", "auto", "DURATION",
            "How often the public URL is checked end to end (a GET to this server through it): auto = 30m for an "
                    + "ngrok URL (ngrok plans count requests), 15s otherwise; 0 = off.", false),
    MCP_HTTP_PORT("--http-port", "MCP_HTTP_PORT", null, "PORT",
            "Serve MCP over Streamable HTTP at http://<host>:<port>/mcp instead of stdio; 0 picks a free port.", false),
    MCP_HTTP_HOST("--http-host", "MCP_HTTP_HOST", "127.0.0.1", "ADDRESS",
            "Address the MCP HTTP endpoint binds to; any address other than loopback requires MCP_AUTH_TOKEN.", false),
    MCP_AUTH_TOKEN("--mcp-auth-token", "MCP_AUTH_TOKEN", null, "TOKENS",
            "Bearer token(s), comma-separated, that MCP HTTP clients must send as 'Authorization: Bearer <token>'.", true),
    MCP_ALLOWED_ORIGINS("--allowed-origins", "MCP_ALLOWED_ORIGINS", null, "ORIGINS",
            "Comma-separated Origins (e.g. http://localhost:6274) allowed to call the MCP HTTP endpoint; a request "
                    + "with any other Origin gets 403, one without an Origin is allowed.", false),
    REDIS_URL("--redis-url", "REDIS_URL", null, "URL",
            "Keep payment sessions in this Redis (redis://host:6379/0, rediss:// for TLS) so several instances share "
                    + "them; without it they live in this process's memory.", true);

    private final String option;
    private final String env;
    private final String defaultValue;
    private final String label;
    private final String description;
    private final boolean secret;

    Setting(String option, String env, String defaultValue, String label, String description, boolean secret) {
        this.option = option;
        this.env = env;
        this.defaultValue = defaultValue;
        this.label = label;
        this.description = description;
        this.secret = secret;
    }

    public String option() { return option; }
    public String env() { return env; }
    public String defaultValue() { return defaultValue; }
    public String label() { return label; }
    public String description() { return description; }
    public boolean secret() { return secret; }

    /** How messages name the setting: {@code CURRENCY (--currency)}. */
    public String display() { return env + " (" + option + ")"; }
}
