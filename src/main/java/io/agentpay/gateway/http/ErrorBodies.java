package io.agentpay.gateway.http;

import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.TypeRef;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The JSON mapper the servlet transport writes with, so that a request it refuses (no or unknown
 * session, a body that is not a JSON-RPC message, the wrong content type) is answered with a
 * JSON-RPC error: the SDK writes its {@link McpError} through the mapper as it is, and as a Java
 * bean that is the exception with its stack trace. The error keeps its code and the first line of
 * its message; a body that could not be read is not quoted back (it may hold card digits).
 */
final class ErrorBodies implements McpJsonMapper {
    static final String MALFORMED = "Invalid message format: send one JSON-RPC 2.0 message, a JSON object with "
            + "\"jsonrpc\":\"2.0\" and a method, result or error.";
    private static final int MAX_MESSAGE = 200;

    private final McpJsonMapper delegate;

    ErrorBodies(McpJsonMapper delegate) {
        this.delegate = delegate;
    }

    /** What the client reads for {@code error}: {@code {"jsonrpc":"2.0","id":null,"error":{"code":…,"message":…}}}. */
    static Map<String, Object> body(McpError error) {
        McpSchema.JSONRPCResponse.JSONRPCError rpc = error.getJsonRpcError();
        String message = rpc == null || rpc.message() == null ? "Request refused." : rpc.message();
        if (message.startsWith("Invalid message format")) {
            message = MALFORMED;
        }
        message = message.lines().findFirst().orElse("Request refused.");
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("code", rpc == null || rpc.code() == null ? McpSchema.ErrorCodes.INVALID_REQUEST : rpc.code());
        detail.put("message", message.length() > MAX_MESSAGE ? message.substring(0, MAX_MESSAGE) : message);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("jsonrpc", McpSchema.JSONRPC_VERSION);
        body.put("id", null);
        body.put("error", detail);
        return body;
    }

    @Override
    public String writeValueAsString(Object value) throws IOException {
        return delegate.writeValueAsString(value instanceof McpError error ? body(error) : value);
    }

    @Override
    public byte[] writeValueAsBytes(Object value) throws IOException {
        return delegate.writeValueAsBytes(value instanceof McpError error ? body(error) : value);
    }

    @Override
    public <T> T readValue(String content, Class<T> type) throws IOException {
        return delegate.readValue(content, type);
    }

    @Override
    public <T> T readValue(byte[] content, Class<T> type) throws IOException {
        return delegate.readValue(content, type);
    }

    @Override
    public <T> T readValue(String content, TypeRef<T> type) throws IOException {
        return delegate.readValue(content, type);
    }

    @Override
    public <T> T readValue(byte[] content, TypeRef<T> type) throws IOException {
        return delegate.readValue(content, type);
    }

    @Override
    public <T> T convertValue(Object value, Class<T> type) {
        return delegate.convertValue(value, type);
    }

    @Override
    public <T> T convertValue(Object value, TypeRef<T> type) {
        return delegate.convertValue(value, type);
    }
}
