package io.agentpay.gateway.tunnel;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A real TCP relay on loopback standing in for a tunnel (ngrok, a reverse proxy): it forwards
 * every connection to the callback port and can be stopped and started again on the same port,
 * dropping live connections, as a tunnel that goes down and comes back does. With several
 * targets it is a failover: each connection goes to the first target that accepts it.
 */
public final class TcpRelay implements AutoCloseable {
    private final int[] targetPorts;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile ServerSocket server;
    private int port;

    public TcpRelay(int... targetPorts) {
        this.targetPorts = targetPorts.clone();
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
        return targetPorts[0];
    }

    public int port() {
        return port;
    }

    private void accept(ServerSocket socket) {
        while (!socket.isClosed()) {
            try {
                Socket in = socket.accept();
                Socket out = connect(in);
                open.add(in);
                open.add(out);
                pump(in, out);
                pump(out, in);
            } catch (IOException e) {
                // stopped, or the target refused: the client sees its connection closed
            }
        }
    }

    private Socket connect(Socket in) throws IOException {
        IOException last = null;
        for (int target : targetPorts) {
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
