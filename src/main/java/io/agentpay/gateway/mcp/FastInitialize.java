package io.agentpay.gateway.mcp;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Answers {@code initialize} (and {@code ping}) the moment it arrives, before the MCP SDK and the rest of the
 * server are loaded: MCP hosts give a server a fixed time to answer. The answer is the one the SDK gives
 * (same protocol negotiation, capabilities, server info and instructions), and it is given only for a
 * request the SDK will accept; the SDK still processes the request once it is up, and its own answer is
 * compared and dropped.
 */
public final class FastInitialize {
    private static final JsonFactory JSON = new JsonFactory();

    /**
     * A JSON-RPC 2.0 request read without the SDK: its id, its method and, for an {@code initialize} whose params
     * are of a form the SDK accepts, the protocol version asked for (else null).
     */
    public record Request(Object id, String method, String protocolVersion) {
        /** Whether the early answer may be given: the SDK will accept this request and give the same answer. */
        public boolean answerableEarly() {
            return "initialize".equals(method) && protocolVersion != null
                    && !(id instanceof String s && s.chars().anyMatch(c -> c < 0x20));
        }

        public boolean isPing() {
            return "ping".equals(method);
        }
    }

    private final List<String> protocolVersions;
    private final String resultTail;

    /**
     * @param protocolVersions supported versions, oldest first (the SDK answers the last when the client's is unknown)
     */
    public FastInitialize(List<String> protocolVersions, String capabilitiesJson, String name, String version,
                          String instructions) {
        this.protocolVersions = protocolVersions;
        this.resultTail = ",\"capabilities\":" + capabilitiesJson + ",\"serverInfo\":{\"name\":" + quote(name)
                + ",\"version\":" + quote(version) + "},\"instructions\":" + quote(instructions) + "}}";
    }

    /** The server's own settings: the capabilities {@link ServerAssembly} declares. */
    public static FastInitialize forServer(List<String> protocolVersions, String version) {
        return new FastInitialize(protocolVersions, ServerAssembly.CAPABILITIES_JSON, ServerAssembly.NAME, version,
                ServerAssembly.INSTRUCTIONS);
    }

    /**
     * Reads a request line the way the SDK will, but stricter: null for anything that is not one whole JSON-RPC 2.0
     * request object with an integer or string id. An {@code initialize} gets its protocol version only when every
     * member the SDK reads has the type it expects (a value the SDK might coerce or refuse counts as refused).
     */
    public static Request parse(String line) {
        Object id = null;
        String method = null;
        String jsonrpc = null;
        String protocolVersion = null;
        try (JsonParser parser = JSON.createParser(line)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                switch (field) {
                    case "jsonrpc" -> jsonrpc = value == JsonToken.VALUE_STRING ? parser.getText() : null;
                    case "id" -> id = value == JsonToken.VALUE_NUMBER_INT ? (Object) parser.getLongValue()
                            : value == JsonToken.VALUE_STRING ? parser.getText() : null;
                    case "method" -> method = value == JsonToken.VALUE_STRING ? parser.getText() : null;
                    case "params" -> protocolVersion = value == JsonToken.START_OBJECT ? initializeParams(parser) : skip(parser);
                    default -> parser.skipChildren();
                }
            }
            if (parser.nextToken() != null) {
                return null;
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
        return "2.0".equals(jsonrpc) && id != null && method != null
                ? new Request(id, method, "initialize".equals(method) ? protocolVersion : null) : null;
    }

    /** The protocol version of initialize params the SDK reads without a doubt; null otherwise. Consumes the object. */
    private static String initializeParams(JsonParser parser) throws IOException {
        String protocolVersion = null;
        boolean capabilities = false;
        boolean clientInfo = false;
        boolean valid = true;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            JsonToken value = parser.nextToken();
            boolean ok = switch (name) {
                case "protocolVersion" -> value == JsonToken.VALUE_STRING && (protocolVersion = parser.getText()) != null;
                case "capabilities" -> capabilities = value == JsonToken.START_OBJECT && members(parser, FastInitialize::capability);
                case "clientInfo" -> clientInfo = value == JsonToken.START_OBJECT && clientInfo(parser);
                case "_meta" -> value == JsonToken.START_OBJECT;
                default -> true;
            };
            valid &= ok;
            parser.skipChildren();
        }
        return valid && capabilities && clientInfo ? protocolVersion : null;
    }

    /** Reads one member of an object; false when its value is not of the form the SDK expects. */
    private interface Member {
        boolean read(String name, JsonToken value, JsonParser parser) throws IOException;
    }

    /** Reads every member of the object just started; true when all were of the expected form. Consumes the object. */
    private static boolean members(JsonParser parser, Member member) throws IOException {
        boolean valid = true;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            valid &= member.read(name, parser.nextToken(), parser);
            parser.skipChildren();
        }
        return valid;
    }

    /** ClientCapabilities: experimental, sampling and extensions' values are objects; roots.listChanged a boolean. */
    private static boolean capability(String name, JsonToken value, JsonParser parser) throws IOException {
        return switch (name) {
            case "experimental", "sampling" -> value == JsonToken.START_OBJECT;
            case "roots" -> value == JsonToken.START_OBJECT && members(parser, (n, v, p) -> !n.equals("listChanged")
                    || v == JsonToken.VALUE_TRUE || v == JsonToken.VALUE_FALSE);
            case "elicitation" -> value == JsonToken.START_OBJECT && members(parser, (n, v, p) -> !(n.equals("form") || n.equals("url"))
                    || v == JsonToken.START_OBJECT);
            case "extensions" -> value == JsonToken.START_OBJECT && members(parser, (n, v, p) -> v == JsonToken.START_OBJECT);
            default -> true;
        };
    }

    /** Implementation: name and version present, every known member a string; icons are left to the SDK. */
    private static boolean clientInfo(JsonParser parser) throws IOException {
        Set<String> seen = new HashSet<>();
        boolean valid = members(parser, (n, v, p) -> switch (n) {
            case "name", "version", "title", "description", "websiteUrl" -> v == JsonToken.VALUE_STRING && seen.add(n) | true;
            case "icons" -> false;
            default -> true;
        });
        return valid && seen.contains("name") && seen.contains("version");
    }

    private static String skip(JsonParser parser) throws IOException {
        parser.skipChildren();
        return null;
    }

    /** The answer to {@code ping}, which needs nothing of the SDK and may come before initialization. */
    public static String pingAnswer(Request request) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id(request) + ",\"result\":{}}";
    }

    private static String id(Request request) {
        return request.id() instanceof String s ? quote(s) : String.valueOf(request.id());
    }

    /** The JSON-RPC answer line, without newline. */
    public String answer(Request request) {
        String negotiated = protocolVersions.contains(request.protocolVersion()) ? request.protocolVersion()
                : protocolVersions.get(protocolVersions.size() - 1);
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id(request) + ",\"result\":{\"protocolVersion\":" + quote(negotiated) + resultTail;
    }

    static String quote(String text) {
        StringBuilder out = new StringBuilder(text.length() + 16).append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
