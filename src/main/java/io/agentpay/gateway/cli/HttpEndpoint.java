package io.agentpay.gateway.cli;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Where and how MCP is served over Streamable HTTP (present only with {@code --http-port}).
 * Binding anything but loopback without a bearer token is refused: anyone who can reach the
 * port could otherwise take payments on the account.
 */
public record HttpEndpoint(String host, int port, List<String> authTokens, List<String> allowedOrigins) {
    public static final String PATH = "/mcp";

    public HttpEndpoint {
        if (port < 0 || port > 65535) {
            throw new ConfigException(Setting.MCP_HTTP_PORT.display() + " must be a port number from 0 to 65535.");
        }
        authTokens = List.copyOf(authTokens);
        allowedOrigins = List.copyOf(allowedOrigins);
        if (authTokens.isEmpty() && !isLoopback(host)) {
            throw new ConfigException(Setting.MCP_HTTP_HOST.display() + " is " + host + ", which is reachable from other "
                    + "machines: set " + Setting.MCP_AUTH_TOKEN.display() + " to one or more bearer tokens (comma-separated) "
                    + "that clients must send, or bind to 127.0.0.1.");
        }
        for (String origin : allowedOrigins) {
            if (!origin.matches("(?i)https?://[^/\\s]+|null")) {
                throw new ConfigException(Setting.MCP_ALLOWED_ORIGINS.display() + " must list origins such as "
                        + "http://localhost:6274 or https://agent.example.com (scheme and host, no path), comma-separated.");
            }
        }
    }

    /** Reads the settings given as text; {@code port} is the raw MCP_HTTP_PORT value. */
    public static HttpEndpoint parse(String host, String port, String tokens, String origins) {
        int number;
        try {
            number = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            throw new ConfigException(Setting.MCP_HTTP_PORT.display() + " must be a port number from 0 to 65535 (got '"
                    + port.replaceAll("[^\\x20-\\x7e]", "?") + "').");
        }
        List<String> tokenList = split(tokens);
        if (tokens != null && tokenList.isEmpty()) {
            throw new ConfigException(Setting.MCP_AUTH_TOKEN.display() + " holds no token: give one or more, comma-separated.");
        }
        List<String> originList = split(origins).stream().map(o -> o.toLowerCase(Locale.ROOT).replaceAll("/$", "")).toList();
        return new HttpEndpoint(host, number, tokenList, originList);
    }

    private static List<String> split(String text) {
        return text == null ? List.of() : Arrays.stream(text.split(",")).map(String::trim).filter(t -> !t.isEmpty()).toList();
    }

    /** True when every address {@code host} names is a loopback address. */
    static boolean isLoopback(String host) {
        try {
            InetAddress[] addresses = InetAddress.getAllByName(host);
            return Arrays.stream(addresses).allMatch(InetAddress::isLoopbackAddress);
        } catch (UnknownHostException e) {
            throw new ConfigException(Setting.MCP_HTTP_HOST.display() + " must be an address or a host name of this "
                    + "machine, such as 127.0.0.1 or 0.0.0.0 (cannot resolve '" + host.replaceAll("[^\\x20-\\x7e]", "?") + "').");
        }
    }

    @Override
    public String toString() {
        return "HttpEndpoint[" + host + ":" + port + ", tokens=" + authTokens.size() + ", allowedOrigins=" + allowedOrigins + "]";
    }
}
