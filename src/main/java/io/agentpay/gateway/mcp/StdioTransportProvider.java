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
import io.modelcontextprotocol.spec.ProtocolVersions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * MCP over stdin/stdout, one JSON-RPC message per line, handled in the order read. Unlike a bare reader it
 * survives bad input: an unparsable or oversized line gets a JSON-RPC error answer, a request with bad params
 * one {@code -32602} answer ({@link ParamsCheck}), and the session goes on.
 * It tells its {@link Listener} when the {@code initialize} answer has been written (so slow
 * start-up work can begin after it) and when stdin closes.
 */
public final class StdioTransportProvider implements McpServerTransportProvider {
    private static final Logger LOG = LoggerFactory.getLogger(StdioTransportProvider.class);
    static final int MAX_LINE_BYTES = 4 * 1024 * 1024;

    /** Lifecycle events of the one stdio session. */
    public interface Listener {
        default void sessionCreated(McpServerSession session) {}

        default void initialized() {}

        default void closed() {}
    }

    private final Supplier<McpJsonMapper> jsonMappers;
    private final Supplier<ObjectMapper> objectMappers;
    private final InputStream in;
    private final OutputStream out;
    private final Listener listener;
    private final AtomicBoolean closing = new AtomicBoolean();
    private final AtomicBoolean initializedSent = new AtomicBoolean();
    private final AtomicBoolean started = new AtomicBoolean();
    private final Object sessionLock = new Object();
    private final List<String> pending = new ArrayList<>();
    private final FastInitialize fastInitialize;
    private final AtomicReference<String> fastAnswerId = new AtomicReference<>();
    private boolean earlyAnswerGiven;
    private volatile String fastAnswer;
    private volatile ParamsCheck paramsCheck;
    private volatile McpServerSession session;

    public StdioTransportProvider(McpJsonMapper jsonMapper, ObjectMapper objectMapper, InputStream in, OutputStream out,
                                  Listener listener) {
        this(() -> jsonMapper, () -> objectMapper, in, out, listener, null);
    }

    /**
     * @param jsonMapper asked for on the first message the session handles, so that reading stdin starts first
     * @param fastInitialize when set, the first {@code initialize} is answered as soon as it is read,
     *     before the session exists; messages that arrive before the session are queued in order
     */
    public StdioTransportProvider(Supplier<McpJsonMapper> jsonMapper, Supplier<ObjectMapper> objectMapper, InputStream in,
                                  OutputStream out, Listener listener, FastInitialize fastInitialize) {
        this.jsonMappers = jsonMapper;
        this.objectMappers = objectMapper;
        this.in = in;
        this.out = out;
        this.listener = listener;
        this.fastInitialize = fastInitialize;
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
        if (started.compareAndSet(false, true)) {
            Thread reader = new Thread(this::readLoop, "stdio-in");
            reader.setDaemon(true);
            reader.start();
        }
    }

    /** Oldest first; a client asking for another version gets the newest. */
    public static final List<String> PROTOCOL_VERSIONS = List.of(ProtocolVersions.MCP_2024_11_05,
            ProtocolVersions.MCP_2025_03_26, ProtocolVersions.MCP_2025_06_18, ProtocolVersions.MCP_2025_11_25);

    @Override
    public List<String> protocolVersions() {
        return PROTOCOL_VERSIONS;
    }

    @Override
    public void setSessionFactory(McpServerSession.Factory factory) {
        McpServerSession created = factory.create(new SessionTransport());
        listener.sessionCreated(created);
        synchronized (sessionLock) {
            session = created;
            for (String line : pending) {
                handleLine(line);
            }
            pending.clear();
        }
        start();
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
        closing.set(true);
        return Mono.empty();
    }

    private void readLoop() {
        try {
            ByteArrayOutputStream line = new ByteArrayOutputStream(1024);
            boolean oversized = false;
            byte[] chunk = new byte[16 * 1024];
            int n;
            while (!closing.get() && (n = in.read(chunk)) != -1) {
                int start = 0;
                for (int i = 0; i < n; i++) {
                    if (chunk[i] != '\n') {
                        continue;
                    }
                    if (!oversized && line.size() + (i - start) <= MAX_LINE_BYTES) {
                        line.write(chunk, start, i - start);
                        accept(line.toString(StandardCharsets.UTF_8));
                    } else {
                        writeError(null, McpSchema.ErrorCodes.INVALID_REQUEST,
                                "Message larger than " + MAX_LINE_BYTES + " bytes; it was discarded.");
                    }
                    line.reset();
                    oversized = false;
                    start = i + 1;
                }
                if (!oversized && line.size() + (n - start) <= MAX_LINE_BYTES) {
                    line.write(chunk, start, n - start);
                } else {
                    oversized = true;
                    line.reset();
                }
            }
            if (line.size() > 0 && !oversized) {
                accept(line.toString(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            if (!closing.get()) {
                LOG.warn("stdin failed: {}", e.toString());
            }
        } finally {
            closing.set(true);
            listener.closed();
        }
    }

    /**
     * Every line takes this one path, in the order read: queued until the session exists, then handed to it
     * under the same lock the queue is drained with, so a new line never overtakes a queued one. A ping is
     * answered at once; the first valid {@code initialize} before the session exists gets the early answer.
     */
    private void accept(String text) {
        String line = text.strip();
        if (line.isEmpty()) {
            return;
        }
        FastInitialize.Request request = line.contains("\"ping\"") || line.contains("\"initialize\"")
                ? FastInitialize.parse(line) : null;
        if (request != null && request.isPing()) {
            writeLine(FastInitialize.pingAnswer(request));
            return;
        }
        synchronized (sessionLock) {
            if (session != null) {
                handleLine(line);
                return;
            }
            if (fastInitialize != null && !earlyAnswerGiven && request != null && request.answerableEarly()) {
                earlyAnswerGiven = true;
                fastAnswer = fastInitialize.answer(request);
                fastAnswerId.set(idKey(request.id()));
                writeLine(fastAnswer);
            }
            pending.add(line);
        }
    }

    private static String idKey(Object id) {
        return id instanceof String s ? "s:" + s : "n:" + id;
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
        session.handle(message).subscribe(null, e -> LOG.warn("Message handling failed: {}", e.toString()));
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
        writeLine(error.toString());
    }

    private void write(McpSchema.JSONRPCMessage message) {
        String json;
        try {
            json = jsonMapper().writeValueAsString(message);
        } catch (IOException e) {
            LOG.error("Could not serialize a message: {}", e.toString());
            return;
        }
        boolean initializeAnswer = message instanceof McpSchema.JSONRPCResponse response
                && response.result() instanceof McpSchema.InitializeResult;
        String early = fastAnswerId.get();
        if (initializeAnswer && early != null && early.equals(idKey(((McpSchema.JSONRPCResponse) message).id()))
                && fastAnswerId.compareAndSet(early, null)) {
            if (!json.equals(fastAnswer)) {
                LOG.warn("The early initialize answer differed from the SDK's: {} / {}", fastAnswer, json);
            }
        } else {
            writeLine(json);
        }
        if (initializeAnswer && initializedSent.compareAndSet(false, true)) {
            listener.initialized();
        }
    }

    private void writeLine(String json) {
        byte[] bytes = (json.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n") + "\n")
                .getBytes(StandardCharsets.UTF_8);
        synchronized (out) {
            try {
                out.write(bytes);
                out.flush();
            } catch (IOException e) {
                if (!closing.get()) {
                    LOG.warn("stdout failed: {}", e.toString());
                }
            }
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
            return Mono.fromRunnable(() -> closing.set(true));
        }

        @Override
        public void close() {
            closing.set(true);
        }
    }
}
