package io.agentpay.gateway.mcp;

import io.modelcontextprotocol.spec.McpSchema;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Supplier;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Mono;

/**
 * Honours {@code notifications/cancelled}, which the MCP SDK does not handle: the transport runs
 * every message's handling through here, and a cancellation disposes the handling of the request
 * it names. A tool waiting on a payment is interrupted, its wait ends, and no answer is sent for
 * that request; every other request is answered as usual. {@code initialize} cannot be cancelled.
 */
public final class RequestCancellation {
    static final String METHOD = "notifications/cancelled";

    private final Map<String, Disposable.Swap> running = new ConcurrentHashMap<>();

    /** Subscribes to {@code handling} of {@code message}, or, for a cancellation, cancels the request it names. */
    public void run(McpSchema.JSONRPCMessage message, Supplier<Mono<Void>> handling, Consumer<Throwable> onError) {
        if (message instanceof McpSchema.JSONRPCNotification notification && METHOD.equals(notification.method())) {
            cancel(notification.params());
            return;
        }
        if (!(message instanceof McpSchema.JSONRPCRequest request) || request.id() == null
                || McpSchema.METHOD_INITIALIZE.equals(request.method())) {
            handling.get().subscribe(null, onError);
            return;
        }
        String key = key(request.id());
        Disposable.Swap slot = Disposables.swap();
        running.put(key, slot);
        slot.update(handling.get().doFinally(signal -> running.remove(key, slot)).subscribe(null, onError));
    }

    private void cancel(Object params) {
        if (params instanceof Map<?, ?> map && map.get("requestId") != null) {
            Disposable.Swap slot = running.remove(key(map.get("requestId")));
            if (slot != null) {
                slot.dispose();
            }
        }
    }

    /** JSON-RPC ids are strings or numbers; 7 and 7L are one id. */
    private static String key(Object id) {
        return id instanceof Number number ? "n:" + number.longValue() : "s:" + id;
    }
}
