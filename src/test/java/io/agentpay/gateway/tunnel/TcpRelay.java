package io.agentpay.gateway.tunnel;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real TCP relay on loopback standing in for a tunnel (ngrok, a reverse proxy): it forwards
 * every connection to the callback port and can be stopped and started again on the same port,
 * dropping live connections, as a tunnel that goes down and comes back does. With several
 * targets it is a failover: each connection goes to the first target that accepts it.
 */
public final class TcpRelay implements AutoCloseable {
    private final CompletableFuture<int[]> targetPorts = new CompletableFuture<>();
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger connections = new AtomicInteger();
    private volatile ServerSocket server;
    private int port;

    /** A relay to {@code targetPorts}; with several it is a failover: each connection goes to the first that accepts it. */
    public TcpRelay(int... targetPorts) {
        if (targetPorts.length > 0) {
            this.targetPorts.complete(targetPorts.clone());
        }
    }

    /**
     * A relay whose targets are not known yet, such as servers that bind port 0 and report their port once
     * up: connections accepted before this call wait for it. Several ports make a failover, as in the constructor.
     */
    public void target(int... ports) {
        targetPorts.complete(ports.clone());
    }

    /** How many connections it has accepted: each is a request someone sent through the "tunnel". */
    public int connections() {
        return connections.get();
    }

    /** Starts listening (on the previous port after a stop, otherwise on any free one); returns the port. */
    public synchronized int start() throws IOException {
        ServerSocket socket = new ServerSocket();
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        port = socket.getLocalPort();
        server = socket;
        Thread acceptor = new Thread(() -> accept(socket), "relay-accept-" + port);
        acceptor.setDaemon(true);
        acceptor.start();
        return port;
    }

    public int targetPort() {
        return targetPorts.join()[0];
    }

    public int port() {
        return port;
    }

    private void accept(ServerSocket socket) {
        while (!socket.isClosed()) {
            try {
                Socket in = socket.accept();
                connections.incrementAndGet();
                Socket out = connect(in);
                if (!relaying(socket, in, out)) {
                    return;
                }
                pump(in, out);
                pump(out, in);
            } catch (IOException | ExecutionException | TimeoutException e) {
                // stopped, the target refused or never became known: the client sees its connection closed
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * Registers a connection for {@link #stop()} to drop, or drops it if the relay stopped meanwhile. A close does
     * not end an accept already under way: the kernel keeps the socket listening until the accepting thread runs
     * again, which on a busy machine can be after stop() returned, so a client that connects just then (a tunnel
     * check right after a simulated drop) would otherwise be relayed through a "stopped" tunnel.
     */
    private synchronized boolean relaying(ServerSocket socket, Socket in, Socket out) {
        if (socket.isClosed()) {
            closeQuietly(in);
            closeQuietly(out);
            return false;
        }
        open.add(in);
        open.add(out);
        return true;
    }

    private Socket connect(Socket in) throws IOException, ExecutionException, TimeoutException, InterruptedException {
        IOException last = null;
        for (int target : targetPorts.get(30, TimeUnit.SECONDS)) {
            try {
                return new Socket(InetAddress.getLoopbackAddress(), target);
            } catch (IOException e) {
                last = e;
            }
        }
        closeQuietly(in);
        throw last;
    }

    private void pump(Socket from, Socket to) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[8192];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // either side closed
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "relay-pump");
        t.setDaemon(true);
        t.start();
    }

    /** Stops listening and drops every relayed connection. */
    public synchronized void stop() {
        closeQuietly(server);
        open.forEach(TcpRelay::closeQuietly);
        open.clear();
    }

    @Override
    public void close() {
        stop();
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            if (c != null) {
                c.close();
            }
        } catch (Exception e) {
            // already closed
        }
    }
}
