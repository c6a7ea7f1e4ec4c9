package io.agentpay.gateway.mcp;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.List;

/**
 * Answers {@code initialize} the moment it arrives, before the MCP SDK and the rest of the server
 * are loaded: MCP hosts give a server a fixed time to answer. The answer is the one the SDK gives
 * (same protocol negotiation, capabilities, server info and instructions); the SDK still
 * processes the request once it is up, and its own answer is compared and dropped.
 */
public final class FastInitialize {
    private static final JsonFactory JSON = new JsonFactory();

    /** The parts of an initialize request the answer depends on. */
    public record Request(Object id, String protocolVersion) {}

    private final List<String> protocolVersions;
    private final String resultTail;

    /**
     * @param protocolVersions supported versions, oldest first (the SDK answers the last when the client's is unknown)
     */
    public FastInitialize(List<String> protocolVersions, String capabilitiesJson, String name, String version,
                          String instructions) {
        this.protocolVersions = protocolVersions;
        this.resultTail = ",\"capabilities\":" + capabilitiesJson + ",\"serverInfo\":{\"name\":" + quote(name)
                + ",\"title\":" + quote(ServerAssembly.TITLE) + ",\"version\":" + quote(version) + ",\"description\":"
                + quote(ServerAssembly.DESCRIPTION) + ",\"websiteUrl\":" + quote(ServerAssembly.WEBSITE_URL) + "},\"instructions\":" + quote(instructions) + "}}";
    }

    /** The server's own settings: the capabilities {@link ServerAssembly} declares. */
    public static FastInitialize forServer(List<String> protocolVersions, String version) {
        return new FastInitialize(protocolVersions, ServerAssembly.CAPABILITIES_JSON, ServerAssembly.NAME, version,
                ServerAssembly.INSTRUCTIONS);
    }

    /** Reads an initialize request's id and protocol version; null when the line is anything else. */
    public static Request parse(String line) {
        Object id = null;
        String method = null;
        String protocolVersion = null;
        try (JsonParser parser = JSON.createParser(line)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                switch (field) {
                    case "id" -> id = value == JsonToken.VALUE_NUMBER_INT ? (Object) parser.getLongValue()
                            : value == JsonToken.VALUE_STRING ? parser.getText() : null;
                    case "method" -> method = value == JsonToken.VALUE_STRING ? parser.getText() : null;
                    case "params" -> {
                        if (value != JsonToken.START_OBJECT) {
                            return null;
                        }
                        while (parser.nextToken() == JsonToken.FIELD_NAME) {
                            String name = parser.currentName();
                            JsonToken inner = parser.nextToken();
                            if (name.equals("protocolVersion") && inner == JsonToken.VALUE_STRING) {
                                protocolVersion = parser.getText();
                            } else {
                                parser.skipChildren();
                            }
                        }
                    }
                    default -> parser.skipChildren();
                }
            }
        } catch (IOException e) {
            return null;
        }
        return "initialize".equals(method) && id != null && protocolVersion != null ? new Request(id, protocolVersion) : null;
    }

    /** The JSON-RPC answer line, without newline. */
    public String answer(Request request) {
        String negotiated = protocolVersions.contains(request.protocolVersion()) ? request.protocolVersion()
                : protocolVersions.get(protocolVersions.size() - 1);
        String id = request.id() instanceof String s ? quote(s) : String.valueOf(request.id());
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":{\"protocolVersion\":" + quote(negotiated) + resultTail;
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
