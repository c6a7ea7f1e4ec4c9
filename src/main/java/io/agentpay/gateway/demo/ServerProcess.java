package io.agentpay.gateway.demo;

import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.TypeRef;
import io.modelcontextprotocol.spec.McpClientTransport;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import reactor.core.publisher.Mono;

/**
 * The demo's server: a child process speaking MCP on its stdin and stdout. Unlike the SDK's stdio client
 * transport, which stops reading stderr once stdout ends, it reads the server's stderr to the end and keeps
 * its last lines, so a server that dies at start-up (a JVM that refuses an option) can say why; and it tells
 * the demo the moment the server's stdout ends, so no request waits for its time-out. It also knows which
 * requests are still unanswered, so the demo can let them finish before the client closes (see {@link #settle}).
 */
final class ServerProcess implements McpClientTransport {
    private final List<String> command;
    private final McpJsonMapper mapper;
    private final int stderrLinesKept;
    private final Runnable onEnd;
    private final Deque<String> stderr = new ArrayDeque<>();
    private volatile Process process;
    private volatile Thread stderrReader;
    /** Guards the three fields below; notified as each message from the server has been handled and when stdout ends. */
    private final Object traffic = new Object();
    private final Set<Object> unanswered = new HashSet<>();
    private int handling;
    private boolean notificationsWanted = true;
    private volatile boolean closed;
    private volatile boolean ended;

    /** @param onEnd runs once the server's stdout has ended: it exited, or will not speak again */
    ServerProcess(List<String> command, McpJsonMapper mapper, int stderrLinesKept, Runnable onEnd) {
        this.command = List.copyOf(command);
        this.mapper = mapper;
        this.stderrLinesKept = stderrLinesKept;
        this.onEnd = onEnd;
    }

    @Override
    public Mono<Void> connect(Function<Mono<McpSchema.JSONRPCMessage>, Mono<McpSchema.JSONRPCMessage>> handler) {
        return Mono.fromRunnable(() -> {
            try {
                process = new ProcessBuilder(command).start();
            } catch (IOException e) {
                throw new UncheckedIOException("Could not start the server: " + e.getMessage(), e);
            }
            stderrReader = reader("demo-server-stderr", process.getErrorStream(), this::keep, () -> { });
            reader("demo-server-stdout", process.getInputStream(), line -> {
                McpSchema.JSONRPCMessage message;
                try {
                    message = McpSchema.deserializeJsonRpcMessage(mapper, line);
                } catch (IOException | RuntimeException e) {
                    keep("(not JSON-RPC on the server's stdout) " + line);
                    return;
                }
                if (!admit(message)) {
                    return;
                }
                try {
                    handler.apply(Mono.just(message)).subscribe();
                } finally {
                    handled(message);
                }
            }, () -> {
                ended = true;
                synchronized (traffic) {
                    traffic.notifyAll();
                }
                onEnd.run();
            });
        });
    }

    private static Thread reader(String name, InputStream stream, Consumer<String> lines, Runnable atEnd) {
        Thread thread = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    lines.accept(line);
                }
            } catch (IOException e) {
                // the process is gone
            } finally {
                atEnd.run();
            }
        }, name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    /**
     * Whether the client gets this message: nothing once it has closed (the SDK would answer a late notification by
     * initializing a new session), and no notification once {@link #settle} has begun.
     */
    private boolean admit(McpSchema.JSONRPCMessage message) {
        synchronized (traffic) {
            if (closed || (message instanceof McpSchema.JSONRPCNotification && !notificationsWanted)) {
                return false;
            }
            handling++;
            return true;
        }
    }

    private void handled(McpSchema.JSONRPCMessage message) {
        synchronized (traffic) {
            handling--;
            if (message instanceof McpSchema.JSONRPCResponse response) {
                unanswered.remove(response.id());
            }
            traffic.notifyAll();
        }
    }

    private void answerAwaited(Object requestId, boolean awaited) {
        if (requestId != null) {
            synchronized (traffic) {
                if (awaited) {
                    unanswered.add(requestId);
                } else {
                    unanswered.remove(requestId);
                }
            }
        }
    }

    /**
     * Stops handing the server's notifications to the client, then waits until every request the client sent has
     * been answered and the answer handled: the SDK's client reads a resource for each resource-updated notification,
     * and closing it with such a read in flight logs an error for the read and a warning for its late answer.
     * Requests sent while a message is handled are counted before that handling ends, so none slips through.
     *
     * @return whether all was answered within {@code timeout} (false also when the server's stdout ended first)
     */
    boolean settle(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (traffic) {
            notificationsWanted = false;
            try {
                while (handling > 0 || !unanswered.isEmpty()) {
                    long left = deadline - System.nanoTime();
                    if (ended || left <= 0) {
                        return false;
                    }
                    TimeUnit.NANOSECONDS.timedWait(traffic, left);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            return true;
        }
    }

    private synchronized void keep(String line) {
        if (stderr.size() == stderrLinesKept) {
            stderr.removeFirst();
        }
        stderr.addLast(line);
    }

    @Override
    public Mono<Void> sendMessage(McpSchema.JSONRPCMessage message) {
        return Mono.fromRunnable(() -> {
            Object requestId = message instanceof McpSchema.JSONRPCRequest request ? request.id() : null;
            // Counted before it is written, so its answer cannot come first.
            answerAwaited(requestId, true);
            try {
                byte[] line = (mapper.writeValueAsString(message) + "\n").getBytes(StandardCharsets.UTF_8);
                OutputStream in = process.getOutputStream();
                synchronized (this) {
                    in.write(line);
                    in.flush();
                }
            } catch (IOException e) {
                answerAwaited(requestId, false);
                throw new UncheckedIOException("The server no longer reads its stdin", e);
            }
        });
    }

    /**
     * Closes the server's stdin, which ends it; {@link #awaitExit} waits for it. From here on nothing the server still
     * writes reaches the client.
     */
    @Override
    public Mono<Void> closeGracefully() {
        return Mono.fromRunnable(() -> {
            closed = true;
            Process running = process;
            if (running != null) {
                try {
                    running.getOutputStream().close();
                } catch (IOException e) {
                    // already closed
                }
            }
        });
    }

    void awaitExit(long seconds) {
        Process running = process;
        if (running == null) {
            return;
        }
        try {
            if (!running.waitFor(seconds, TimeUnit.SECONDS)) {
                running.destroyForcibly();
            }
            Thread reader = stderrReader;
            if (reader != null) {
                reader.join(TimeUnit.SECONDS.toMillis(seconds));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Prints the last lines of the server's stderr; call after {@link #awaitExit}. */
    synchronized void printStderr(PrintStream err) {
        if (stderr.isEmpty()) {
            err.println("The server process wrote nothing to stderr.");
            return;
        }
        err.println("Last " + stderr.size() + " lines the server process wrote to stderr:");
        stderr.forEach(line -> err.println("  | " + line));
    }

    @Override
    public <T> T unmarshalFrom(Object data, TypeRef<T> typeRef) {
        return mapper.convertValue(data, typeRef);
    }
}
