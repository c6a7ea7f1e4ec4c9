package io.agentpay.gateway.mcp;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.modelcontextprotocol.spec.ProtocolVersions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Answers {@code initialize} and then {@code tools/list} (and {@code ping}) the moment they arrive, before the MCP
 * SDK and the rest of the server are loaded: MCP hosts give a server a fixed time to answer {@code initialize}, and
 * show its tools only once {@code tools/list} is answered. Each answer is the one the SDK gives, byte for byte
 * ({@code initialize}: the same protocol negotiation, capabilities, server info and instructions; {@code tools/list}:
 * the SDK's own serialization of the tools, written into the jar at build time by {@link ComponentIndexer}), and it
 * is given only for a request the SDK will accept and answer the same. The SDK still processes every request once it
 * is up; {@link StdioTransportProvider} compares its answer with the early one and drops it. Uses jackson-core's
 * streaming parser only. One instance serves the one stdio session: it remembers what it answered.
 */
public final class EarlyAnswers {
    /** Oldest first; a client asking for another version gets the newest. */
    static final List<String> PROTOCOL_VERSIONS = List.of(ProtocolVersions.MCP_2024_11_05,
            ProtocolVersions.MCP_2025_03_26, ProtocolVersions.MCP_2025_06_18, ProtocolVersions.MCP_2025_11_25);
    /** The {@code tools/list} result as the SDK serializes it, written by the build. */
    static final String TOOLS_LIST = "META-INF/agentpay/tools-list.json";
    private static final JsonFactory JSON = new JsonFactory();

    /**
     * A JSON-RPC 2.0 message read without the SDK: its id (an integer or a string, else null), whether it has an id
     * member at all, its method, for an {@code initialize} whose params are of a form the SDK accepts the protocol
     * version asked for (else null), and whether its params are absent or an object with nothing the SDK could read
     * differently ({@code _meta} an object, no {@code cursor}).
     */
    record Request(Object id, boolean hasId, String method, String protocolVersion, boolean plainParams) {
        /** An {@code initialize} the SDK accepts, with an id written as the SDK writes it. */
        boolean isInitialize() {
            return "initialize".equals(method) && protocolVersion != null && quotableId();
        }

        /** A {@code tools/list} the SDK answers with the whole list, with an id written as the SDK writes it. */
        boolean isToolsList() {
            return "tools/list".equals(method) && plainParams && quotableId();
        }

        /** {@code notifications/initialized}, which the SDK reads as a notification only without an id member. */
        boolean isInitialized() {
            return "notifications/initialized".equals(method) && !hasId;
        }

        boolean isPing() {
            return "ping".equals(method) && id != null;
        }

        /** An id {@link #quote} writes as Jackson does: Jackson writes control characters differently. */
        private boolean quotableId() {
            if (id instanceof String s) {
                for (int i = 0; i < s.length(); i++) {
                    if (s.charAt(i) < 0x20) {
                        return false;
                    }
                }
                return true;
            }
            return id instanceof Long;
        }
    }

    private final List<String> protocolVersions;
    private final String resultTail;
    private String toolsList;
    private boolean initializeAnswered;
    private boolean initializedRead;
    private final Map<String, String> given = new HashMap<>();

    /** @param protocolVersions supported versions, oldest first (the SDK answers the last when the client's is unknown) */
    private EarlyAnswers(List<String> protocolVersions, String capabilitiesJson, String name, String version,
                         String instructions) {
        this.protocolVersions = protocolVersions;
        this.resultTail = ",\"capabilities\":" + capabilitiesJson + ",\"serverInfo\":{\"name\":" + quote(name)
                + ",\"title\":" + quote(ServerAssembly.TITLE) + ",\"version\":" + quote(version) + ",\"description\":"
                + quote(ServerAssembly.DESCRIPTION) + ",\"websiteUrl\":" + quote(ServerAssembly.WEBSITE_URL) + "},\"instructions\":" + quote(instructions) + "}}";
    }

    /** The server's own settings: the capabilities {@link ServerAssembly} declares, the tools the build listed. */
    public static EarlyAnswers forServer(String version) {
        return new EarlyAnswers(PROTOCOL_VERSIONS, ServerAssembly.CAPABILITIES_JSON, ServerAssembly.NAME, version,
                ServerAssembly.INSTRUCTIONS);
    }

    /** The build's {@code tools/list} result, read when first asked for; null without it. */
    private synchronized String toolsList() {
        if (toolsList == null) {
            String result = readToolsList();
            toolsList = result == null ? "" : result.strip();
        }
        return toolsList.isEmpty() ? null : toolsList;
    }

    /** The build's {@link #TOOLS_LIST}; null when there is none (classes run from an IDE without the build step). */
    private static String readToolsList() {
        try (InputStream in = EarlyAnswers.class.getClassLoader().getResourceAsStream(TOOLS_LIST)) {
            return in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Reads a line the way the SDK will, but stricter: null for anything that is not one whole JSON-RPC 2.0 object
     * with a string method. An {@code initialize} gets its protocol version only when every member the SDK reads has
     * the type it expects (a value the SDK might coerce or refuse counts as refused).
     */
    static Request parse(String line) {
        Object id = null;
        boolean hasId = false;
        String method = null;
        String jsonrpc = null;
        Params params = Params.ABSENT;
        int paramsSeen = 0;
        try (JsonParser parser = JSON.createParser(line)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                switch (field) {
                    case "jsonrpc" -> jsonrpc = value == JsonToken.VALUE_STRING ? parser.getText() : null;
                    case "id" -> {
                        hasId = true;
                        id = value == JsonToken.VALUE_NUMBER_INT ? (Object) parser.getLongValue()
                                : value == JsonToken.VALUE_STRING ? parser.getText() : null;
                    }
                    case "method" -> method = value == JsonToken.VALUE_STRING ? parser.getText() : null;
                    case "params" -> {
                        paramsSeen++;
                        params = value == JsonToken.START_OBJECT ? params(parser) : Params.OTHER;
                        parser.skipChildren();
                    }
                    default -> parser.skipChildren();
                }
            }
            if (parser.nextToken() != null) {
                return null;
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
        if (paramsSeen > 1) {
            params = Params.OTHER;
        }
        return "2.0".equals(jsonrpc) && method != null
                ? new Request(id, hasId, method, "initialize".equals(method) ? params.protocolVersion() : null, params.plain())
                : null;
    }

    /** What the params say: the protocol version of initialize params the SDK reads without a doubt, else null. */
    private record Params(String protocolVersion, boolean plain) {
        static final Params ABSENT = new Params(null, true);
        static final Params OTHER = new Params(null, false);
    }

    /** Reads the params object just started. Consumes the object. */
    private static Params params(JsonParser parser) throws IOException {
        String protocolVersion = null;
        boolean capabilities = false;
        boolean clientInfo = false;
        boolean valid = true;
        boolean plain = true;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            JsonToken value = parser.nextToken();
            boolean ok = switch (name) {
                case "protocolVersion" -> value == JsonToken.VALUE_STRING && (protocolVersion = parser.getText()) != null;
                case "capabilities" -> capabilities = value == JsonToken.START_OBJECT && members(parser, Member.CAPABILITY);
                case "clientInfo" -> clientInfo = value == JsonToken.START_OBJECT && clientInfo(parser);
                case "_meta" -> value == JsonToken.START_OBJECT;
                default -> true;
            };
            valid &= ok;
            // A cursor asks for a page after the first; the SDK ignores it today, and may not tomorrow.
            plain &= ok && !name.equals("cursor");
            parser.skipChildren();
        }
        return new Params(valid && capabilities && clientInfo ? protocolVersion : null, plain);
    }

    /**
     * What the members of an object must be for the SDK to read them without a doubt. Constants rather than lambdas:
     * a lambda's first use costs tens of milliseconds of set-up on the way to the first answer.
     */
    private enum Member {
        /** ClientCapabilities: experimental, sampling and extensions' values are objects; roots.listChanged a boolean. */
        CAPABILITY {
            @Override
            boolean read(String name, JsonToken value, JsonParser parser) throws IOException {
                return switch (name) {
                    case "experimental", "sampling" -> value == JsonToken.START_OBJECT;
                    case "roots" -> value == JsonToken.START_OBJECT && members(parser, ROOTS);
                    case "elicitation" -> value == JsonToken.START_OBJECT && members(parser, ELICITATION);
                    case "extensions" -> value == JsonToken.START_OBJECT && members(parser, EXTENSION);
                    default -> true;
                };
            }
        },
        ROOTS {
            @Override
            boolean read(String name, JsonToken value, JsonParser parser) {
                return !name.equals("listChanged") || value == JsonToken.VALUE_TRUE || value == JsonToken.VALUE_FALSE;
            }
        },
        ELICITATION {
            @Override
            boolean read(String name, JsonToken value, JsonParser parser) {
                return !(name.equals("form") || name.equals("url")) || value == JsonToken.START_OBJECT;
            }
        },
        EXTENSION {
            @Override
            boolean read(String name, JsonToken value, JsonParser parser) {
                return value == JsonToken.START_OBJECT;
            }
        };

        /** Reads one member; false when its value is not of the form the SDK expects. */
        abstract boolean read(String name, JsonToken value, JsonParser parser) throws IOException;
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

    /** Implementation: name and version present, every known member a string; icons are left to the SDK. */
    private static boolean clientInfo(JsonParser parser) throws IOException {
        boolean valid = true;
        boolean name = false;
        boolean version = false;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String member = parser.currentName();
            JsonToken value = parser.nextToken();
            valid &= switch (member) {
                case "name", "version", "title", "description", "websiteUrl" -> value == JsonToken.VALUE_STRING;
                case "icons" -> false;
                default -> true;
            };
            name |= member.equals("name");
            version |= member.equals("version");
            parser.skipChildren();
        }
        return valid && name && version;
    }

    /**
     * The early answer to a line read before the session exists, or null when the SDK must answer it: the first
     * {@code initialize} the SDK accepts; a {@code tools/list} once that {@code initialize} is answered and the client's
     * {@code notifications/initialized} has been read after it (before that the SDK holds {@code tools/list} back).
     * Never two early answers for one id.
     */
    synchronized String beforeSession(Request request) {
        if (request.isInitialized()) {
            initializedRead |= initializeAnswered;
            return null;
        }
        String answer = request.isInitialize() && !initializeAnswered ? initializeAnswer(request)
                : request.isToolsList() && initializedRead ? toolsListAnswer(request) : null;
        if (answer == null || given.putIfAbsent(idKey(request.id()), answer) != null) {
            return null;
        }
        initializeAnswered |= request.isInitialize();
        return answer;
    }

    /** The early answer given for {@code id}, once; null when there was none. */
    synchronized String takeGiven(Object id) {
        return given.remove(idKey(id));
    }

    /** How many early answers still wait for the SDK's own to be compared with. */
    synchronized int unconfirmed() {
        return given.size();
    }

    private static String idKey(Object id) {
        return id instanceof String s ? "s:" + s : "n:" + id;
    }

    /** The answer to {@code ping}, which needs nothing of the SDK and may come before initialization. */
    static String pingAnswer(Request request) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id(request) + ",\"result\":{}}";
    }

    private static String id(Request request) {
        return request.id() instanceof String s ? quote(s) : String.valueOf(request.id());
    }

    /** The {@code initialize} answer line, without newline. */
    String initializeAnswer(Request request) {
        String negotiated = protocolVersions.contains(request.protocolVersion()) ? request.protocolVersion()
                : protocolVersions.get(protocolVersions.size() - 1);
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id(request) + ",\"result\":{\"protocolVersion\":" + quote(negotiated) + resultTail;
    }

    /** The {@code tools/list} answer line, without newline; null without the build's {@link #TOOLS_LIST}. */
    String toolsListAnswer(Request request) {
        String result = toolsList();
        return result == null ? null : "{\"jsonrpc\":\"2.0\",\"id\":" + id(request) + ",\"result\":" + result + "}";
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
