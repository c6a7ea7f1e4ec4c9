package io.agentpay.gateway.mcp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.TypeRef;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpServerSession;
import io.modelcontextprotocol.spec.McpServerTransport;
import io.modelcontextprotocol.spec.McpServerTransportProvider;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * MCP over stdin/stdout, one JSON-RPC message per line ({@link StdioChannel}), handled in the order read. Unlike a
 * bare reader it survives bad input: an unparsable or oversized line gets a JSON-RPC error answer, a request with bad
 * params one {@code -32602} answer ({@link ParamsCheck}), and the session goes on. An answer the channel already gave
 * early ({@link EarlyAnswers}) is compared with the SDK's and dropped. It tells its {@link Listener} when the
 * SDK's {@code initialize} answer has been written (the client can then be sent log messages) and when stdin closes.
 */
public final class StdioTransportProvider implements McpServerTransportProvider {
    private static final Logger LOG = LoggerFactory.getLogger(StdioTransportProvider.class);

    /** Lifecycle events of the one stdio session. */
    public interface Listener {
        default void sessionCreated(McpServerSession session) {}

        default void initialized() {}

        default void closed() {}
    }

    private final Supplier<McpJsonMapper> jsonMappers;
    private final Supplier<ObjectMapper> objectMappers;
    private final StdioChannel channel;
    private final Listener listener;
    private final AtomicBoolean initializedSent = new AtomicBoolean();
    private final RequestCancellation cancellation = new RequestCancellation();
    private volatile ParamsCheck paramsCheck;
    private volatile McpServerSession session;

    /** Without early answers: every message waits for the session. */
    public StdioTransportProvider(McpJsonMapper jsonMapper, ObjectMapper objectMapper, InputStream in, OutputStream out,
                                  Listener listener) {
        this(() -> jsonMapper, () -> objectMapper, new StdioChannel(in, out, null), listener);
    }

    /**
     * @param jsonMapper asked for on the first message the session handles, so that reading stdin starts first
     * @param channel stdin and stdout, perhaps read (and early answers given) since before this transport existed
     */
    public StdioTransportProvider(Supplier<McpJsonMapper> jsonMapper, Supplier<ObjectMapper> objectMapper,
                                  StdioChannel channel, Listener listener) {
        this.jsonMappers = jsonMapper;
        this.objectMappers = objectMapper;
        this.channel = channel;
        this.listener = listener;
        channel.onClosed(listener::closed);
    }

    private volatile McpJsonMapper jsonMapper;
    private volatile ObjectMapper objectMapper;

    private McpJsonMapper jsonMapper() {
        McpJsonMapper mapper = jsonMapper;
        return mapper != null ? mapper : (jsonMapper = jsonMappers.get());
    }

    private ObjectMapper objectMapper() {
        ObjectMapper mapper = objectMapper;
        return mapper != null ? mapper : (objectMapper = objectMappers.get());
    }

    /** Starts reading stdin; lines that arrive before the session exists wait for it. */
    public void start() {
        channel.start();
    }

    /** Oldest first; a client asking for another version gets the newest. */
    public static final List<String> PROTOCOL_VERSIONS = EarlyAnswers.PROTOCOL_VERSIONS;

    @Override
    public List<String> protocolVersions() {
        return PROTOCOL_VERSIONS;
    }

    @Override
    public void setSessionFactory(McpServerSession.Factory factory) {
        McpServerSession created = factory.create(new SessionTransport());
        listener.sessionCreated(created);
        session = created;
        channel.attach(this::handleLine);
    }

    /** Refuses requests with bad params before the SDK sees them; set before the session factory. */
    public void checkParams(ParamsCheck check) {
        this.paramsCheck = check;
    }

    @Override
    public Mono<Void> notifyClients(String method, Object params) {
        McpServerSession current = session;
        return current == null ? Mono.empty() : current.sendNotification(method, params);
    }

    /** Resource subscriptions notify one session by id; stdio has exactly one. */
    @Override
    public Mono<Void> notifyClient(String sessionId, String method, Object params) {
        McpServerSession current = session;
        return current == null || !current.getId().equals(sessionId) ? Mono.empty() : current.sendNotification(method, params);
    }

    @Override
    public Mono<Void> closeGracefully() {
        channel.close();
        return Mono.empty();
    }

    private void handleLine(String text) {
        try {
            dispatch(text);
        } catch (RuntimeException e) {
            LOG.warn("Could not handle an incoming message: {}", e.toString());
            writeError(null, McpSchema.ErrorCodes.INTERNAL_ERROR, "Internal error while reading the message.");
        }
    }

    private void dispatch(String line) {
        McpSchema.JSONRPCMessage message = null;
        try {
            message = McpSchema.deserializeJsonRpcMessage(jsonMapper(), line);
        } catch (IOException | RuntimeException e) {
            // classified below
        }
        if (message == null || !McpSchema.JSONRPC_VERSION.equals(message.jsonrpc())) {
            refuse(line);
            return;
        }
        ParamsCheck check = paramsCheck;
        String problem = check != null && message instanceof McpSchema.JSONRPCRequest request
                ? check.problem(request.method(), request.params()) : null;
        if (problem != null) {
            writeError(((McpSchema.JSONRPCRequest) message).id(), McpSchema.ErrorCodes.INVALID_PARAMS, problem);
            return;
        }
        McpSchema.JSONRPCMessage handled = message;
        cancellation.run(message, () -> session.handle(handled), e -> LOG.warn("Message handling failed: {}", e.toString()));
    }

    /** Answers a line the SDK could not take: a parse error, or an invalid request with its id when it has one. */
    private void refuse(String line) {
        JsonNode node;
        try {
            node = objectMapper().readTree(line);
        } catch (JsonProcessingException e) {
            writeError(null, McpSchema.ErrorCodes.PARSE_ERROR, "Parse error: the line is not valid JSON.");
            return;
        }
        writeError(idOf(node), McpSchema.ErrorCodes.INVALID_REQUEST,
                "Invalid request: not a JSON-RPC 2.0 request, response or notification.");
    }

    private static Object idOf(JsonNode node) {
        JsonNode id = node.path("id");
        if (id.isTextual()) {
            return id.asText();
        }
        if (id.isIntegralNumber()) {
            return id.asLong();
        }
        return null;
    }

    /** Answers a line that could not be handled; JSON-RPC wants {@code "id": null} when the id is unknown. */
    private void writeError(Object id, int code, String message) {
        var error = objectMapper().createObjectNode();
        error.put("jsonrpc", McpSchema.JSONRPC_VERSION);
        if (id instanceof Number || id instanceof String) {
            error.set("id", objectMapper().valueToTree(id));
        } else {
            error.putNull("id");
        }
        error.putObject("error").put("code", code).put("message", message);
        channel.writeLine(error.toString());
    }

    private void write(McpSchema.JSONRPCMessage message) {
        String json;
        try {
            json = jsonMapper().writeValueAsString(message);
        } catch (IOException e) {
            LOG.error("Could not serialize a message: {}", e.toString());
            return;
        }
        String early = message instanceof McpSchema.JSONRPCResponse response ? channel.takeEarlyAnswer(response.id()) : null;
        if (early == null) {
            channel.writeLine(json);
        } else if (!json.equals(early)) {
            LOG.warn("The early answer differed from the SDK's: {} / {}", early, json);
        }
        if (message instanceof McpSchema.JSONRPCResponse response && response.result() instanceof McpSchema.InitializeResult
                && initializedSent.compareAndSet(false, true)) {
            listener.initialized();
        }
    }

    private final class SessionTransport implements McpServerTransport {
        @Override
        public Mono<Void> sendMessage(McpSchema.JSONRPCMessage message) {
            return Mono.fromRunnable(() -> write(message));
        }

        @Override
        public <T> T unmarshalFrom(Object data, TypeRef<T> typeRef) {
            return jsonMapper().convertValue(data, typeRef);
        }

        @Override
        public Mono<Void> closeGracefully() {
            return Mono.fromRunnable(channel::close);
        }

        @Override
        public void close() {
            channel.close();
        }
    }
}
