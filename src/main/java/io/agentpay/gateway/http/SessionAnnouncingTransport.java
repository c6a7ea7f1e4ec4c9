package io.agentpay.gateway.http;

import io.modelcontextprotocol.spec.McpStreamableServerSession;
import io.modelcontextprotocol.spec.McpStreamableServerTransportProvider;
import java.util.List;
import java.util.function.Consumer;
import reactor.core.publisher.Mono;

/**
 * The servlet transport as the MCP server sees it, telling {@code started} of each client
 * session it opens (the log sends {@code notifications/message} to each at its own level), and
 * {@code built} when the MCP server has handed it its session factory (requests can be served).
 */
final class SessionAnnouncingTransport implements McpStreamableServerTransportProvider {
    private final McpStreamableServerTransportProvider delegate;
    private final Consumer<McpStreamableServerSession> started;
    private final Runnable built;

    SessionAnnouncingTransport(McpStreamableServerTransportProvider delegate, Consumer<McpStreamableServerSession> started,
                               Runnable built) {
        this.delegate = delegate;
        this.started = started;
        this.built = built;
    }

    @Override
    public void setSessionFactory(McpStreamableServerSession.Factory factory) {
        delegate.setSessionFactory(request -> {
            McpStreamableServerSession.McpStreamableServerSessionInit init = factory.startSession(request);
            started.accept(init.session());
            return init;
        });
        built.run();
    }

    @Override
    public Mono<Void> notifyClients(String method, Object params) {
        return delegate.notifyClients(method, params);
    }

    @Override
    public Mono<Void> notifyClient(String sessionId, String method, Object params) {
        return delegate.notifyClient(sessionId, method, params);
    }

    @Override
    public Mono<Void> closeGracefully() {
        return delegate.closeGracefully();
    }

    @Override
    public void close() {
        delegate.close();
    }

    @Override
    public List<String> protocolVersions() {
        return delegate.protocolVersions();
    }
}
