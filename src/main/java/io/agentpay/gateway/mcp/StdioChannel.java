package io.agentpay.gateway.mcp;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.slf4j.LoggerFactory;

/**
 * stdin and stdout of the stdio mode from the first moments of {@code main}: reads stdin one JSON-RPC message per
 * line on its own thread, gives the {@link EarlyAnswers} while there is no MCP session yet and queues every other
 * line; the session's transport ({@link StdioTransportProvider}) then takes the queued lines and each new one, in the
 * order read. Loads nothing of the MCP SDK, Jackson databind or Reactor, so it can start before the command line is
 * parsed and the server built.
 */
public final class StdioChannel {
    static final int MAX_LINE_BYTES = 4 * 1024 * 1024;
    /** As Jackson's ObjectNode writes the error {@link StdioTransportProvider} gives for a line it cannot take. */
    static final String OVERSIZED = "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32600,\"message\":"
            + "\"Message larger than " + MAX_LINE_BYTES + " bytes; it was discarded.\"}}";

    private final InputStream in;
    private final OutputStream out;
    private final EarlyAnswers early;
    private final Object lock = new Object();
    private final List<String> pending = new ArrayList<>();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    /** Set under {@link #lock}, with the queue drained; read without it to tell whether a line may need an early answer. */
    private volatile Consumer<String> session;
    private volatile boolean closing;
    private boolean started;

    /** @param early the answers given before the session exists; null for none (ping is always answered at once) */
    public StdioChannel(InputStream in, OutputStream out, EarlyAnswers early) {
        this.in = in;
        this.out = out;
        this.early = early;
    }

    /** Starts reading stdin, once. */
    public StdioChannel start() {
        synchronized (lock) {
            if (!started) {
                started = true;
                Thread reader = new Thread("stdio-in") {
                    @Override
                    public void run() {
                        readLoop();
                    }
                };
                reader.setDaemon(true);
                reader.start();
            }
        }
        return this;
    }

    /**
     * Hands the lines queued so far to {@code lines}, then each line as it is read; under the same lock as the reading,
     * so a new line never overtakes a queued one.
     */
    public void attach(Consumer<String> lines) {
        synchronized (lock) {
            for (String line : pending) {
                lines.accept(line);
            }
            pending.clear();
            session = lines;
        }
        start();
    }

    /** Runs {@code action} once stdin has closed (at once if it has). */
    public void onClosed(Runnable action) {
        closed.thenRun(action);
    }

    /** Stops reading at the next line. */
    public void close() {
        closing = true;
    }

    /** The early answer given for {@code id}, once; null when there was none. */
    String takeEarlyAnswer(Object id) {
        return early == null ? null : early.takeGiven(id);
    }

    private void readLoop() {
        try {
            ByteArrayOutputStream line = new ByteArrayOutputStream(1024);
            boolean oversized = false;
            byte[] chunk = new byte[16 * 1024];
            int n;
            while (!closing && (n = in.read(chunk)) != -1) {
                int start = 0;
                for (int i = 0; i < n; i++) {
                    if (chunk[i] != '\n') {
                        continue;
                    }
                    if (!oversized && line.size() + (i - start) <= MAX_LINE_BYTES) {
                        line.write(chunk, start, i - start);
                        accept(line.toString(StandardCharsets.UTF_8));
                    } else {
                        writeLine(OVERSIZED);
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
            if (!closing) {
                LoggerFactory.getLogger(StdioChannel.class).warn("stdin failed: {}", e.toString());
            }
        } finally {
            closing = true;
            closed.complete(null);
        }
    }

    /**
     * Every line takes this one path, in the order read: a ping is answered at once; before the session exists a line
     * may get its early answer, and is queued for the session all the same.
     */
    private void accept(String text) {
        String line = text.strip();
        if (line.isEmpty()) {
            return;
        }
        EarlyAnswers.Request request = session == null && early != null || line.contains("\"ping\"") ? EarlyAnswers.parse(line) : null;
        if (request != null && request.isPing()) {
            writeLine(EarlyAnswers.pingAnswer(request));
            return;
        }
        synchronized (lock) {
            if (session != null) {
                session.accept(line);
                return;
            }
            String answer = early != null && request != null ? early.beforeSession(request) : null;
            if (answer != null) {
                writeLine(answer);
            }
            pending.add(line);
        }
    }

    /** Writes one JSON-RPC message and a newline; a line break inside it is escaped, so one message stays one line. */
    public void writeLine(String json) {
        byte[] bytes = (json.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n") + "\n")
                .getBytes(StandardCharsets.UTF_8);
        synchronized (out) {
            try {
                out.write(bytes);
                out.flush();
            } catch (IOException e) {
                if (!closing) {
                    LoggerFactory.getLogger(StdioChannel.class).warn("stdout failed: {}", e.toString());
                }
            }
        }
    }
}
