package io.agentpay.gateway.callback;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpHeaderValue;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Promise;
import org.eclipse.jetty.util.thread.Invocable.InvocationType;

/**
 * Answers every request on the callback port as a Jetty handler in front of Javalin's servlet:
 * the body is read without blocking a thread and answered directly, which measured about twice
 * the throughput of the same work behind the servlet layer. The path and method are checked
 * before any of the body is read, so a request anywhere but this process's secret callback path
 * costs nothing but its headers: it gets a plain-text 404 (or 405) with {@code Connection: close}
 * and its body is never buffered. A GET on the callback path answers the tunnel check.
 */
final class CallbackHandler extends Handler.Wrapper {
    private static final CallbackIngress.Outcome NOT_FOUND = new CallbackIngress.Outcome(404, "Not found.");
    private static final CallbackIngress.Outcome NOT_POST = new CallbackIngress.Outcome(405, "Callbacks are POST requests.");

    private final CallbackIngress ingress;
    private final CallbackAuth auth;
    private final int maxBody;

    CallbackHandler(Handler next, CallbackIngress ingress, CallbackAuth auth, int maxBody) {
        super(next);
        this.ingress = ingress;
        this.auth = auth;
        this.maxBody = maxBody;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String path = request.getHttpURI().getPath();
        String method = request.getMethod();
        boolean read = "GET".equals(method) || "HEAD".equals(method);
        if (!auth.pathMatches(path)) {
            ingress.refusals().refused(() -> Request.getRemoteAddr(request), "Refused a " + (read ? "request" : "callback"),
                    "unknown path");
            refuse(response, callback, NOT_FOUND);
            return true;
        }
        if (read) {
            answer(response, callback, ingress.probe(path));
            return true;
        }
        if (!"POST".equals(method)) {
            response.getHeaders().put(HttpHeader.ALLOW, "GET, HEAD, POST");
            refuse(response, callback, NOT_POST);
            return true;
        }
        if (request.getLength() > maxBody) {
            refuse(response, callback, tooLarge());
            return true;
        }
        Content.Source.asByteArrayAsync(request, maxBody, Promise.Invocable.from(InvocationType.BLOCKING, (body, failure) -> {
            if (failure != null) {
                refuse(response, callback, unreadable(failure));
                return;
            }
            CallbackIngress.Outcome outcome;
            try {
                outcome = ingress.accept(path, request.getHttpURI().getQuery(), request.getHeaders().get("Content-Type"),
                        body, name -> request.getHeaders().get(name), () -> Request.getRemoteAddr(request));
            } catch (RuntimeException e) {
                outcome = new CallbackIngress.Outcome(500, "Internal error.");
            }
            answer(response, callback, outcome);
        }));
        return true;
    }

    private CallbackIngress.Outcome tooLarge() {
        return new CallbackIngress.Outcome(413, "Callback body larger than " + maxBody + " bytes.");
    }

    /** Why a body could not be read, as a status: the request's own fault (400), too slow (408) or too large (413). */
    private CallbackIngress.Outcome unreadable(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof TimeoutException) {
                return new CallbackIngress.Outcome(408, "The callback body did not arrive in time.");
            }
            if (t instanceof HttpException http && http.getCode() != 413) {
                return new CallbackIngress.Outcome(http.getCode() == 408 ? 408 : 400, "Malformed callback body.");
            }
        }
        return tooLarge();
    }

    /** An answer that ends the connection: whatever the client still sends is not read. */
    private static void refuse(Response response, Callback callback, CallbackIngress.Outcome outcome) {
        response.getHeaders().put(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE);
        answer(response, callback, outcome);
    }

    static void answer(Response response, Callback callback, CallbackIngress.Outcome outcome) {
        response.setStatus(outcome.status());
        if (outcome.message().isEmpty()) {
            response.write(true, null, callback);
        } else {
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
            response.write(true, ByteBuffer.wrap(outcome.message().getBytes(StandardCharsets.UTF_8)), callback);
        }
    }
}
