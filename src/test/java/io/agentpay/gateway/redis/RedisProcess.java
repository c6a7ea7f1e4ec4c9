package io.agentpay.gateway.redis;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.awaitility.Awaitility;
import redis.embedded.core.ExecutableProvider;
import redis.embedded.util.IO;

/**
 * A real redis-server on a free loopback port, in a scratch directory, for one test class. The binary is the
 * {@code redis.server} system property (or {@code REDIS_SERVER} variable) if set, else {@code redis-server} on PATH
 * (the Debian package), else the one for this OS and architecture shipped in the embedded-redis artifact;
 * {@code embedded} as the property's value picks the shipped binary even when PATH has one.
 */
public final class RedisProcess implements AutoCloseable {
    private static final String EMBEDDED = "embedded";
    private final Path dir;
    private final int port;
    private final String executable;
    private final String password;
    private final boolean persistent;
    /** With TLS: the server's self-signed certificate for 127.0.0.1 (PEM), else null. */
    private final Path certificate;
    private Process process;

    public RedisProcess() throws IOException {
        this(null, false, false);
        start();
    }

    private RedisProcess(String password, boolean persistent, boolean tls) throws IOException {
        this.dir = Files.createTempDirectory("redis-test");
        try (ServerSocket socket = new ServerSocket(0)) {
            this.port = socket.getLocalPort();
        }
        this.executable = executable(dir);
        this.password = password;
        this.persistent = persistent;
        this.certificate = tls ? selfSigned(dir) : null;
    }

    /**
     * A started server that speaks TLS only, with a self-signed certificate for 127.0.0.1 (made by {@code openssl});
     * {@link #url()} is {@code rediss://}, and a client trusts it through {@link #trustStore}.
     */
    public static RedisProcess tls() throws IOException {
        RedisProcess redis = new RedisProcess(null, false, true);
        redis.start();
        return redis;
    }

    private static Path selfSigned(Path dir) throws IOException {
        Path certificate = dir.resolve("redis.crt");
        Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", dir.resolve("redis.key").toString(),
                "-out", certificate.toString()).redirectErrorStream(true).redirectOutput(dir.resolve("openssl.log").toFile()).start();
        try {
            if (!openssl.waitFor(60, TimeUnit.SECONDS) || openssl.exitValue() != 0) {
                throw new IOException("openssl could not make a certificate: " + Files.readString(dir.resolve("openssl.log")));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("Interrupted while openssl made a certificate", e);
        }
        return certificate;
    }

    /** A key store holding only the server's certificate, as a trust store. */
    private KeyStore trusting() throws IOException {
        try (InputStream pem = Files.newInputStream(certificate)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setCertificateEntry("redis", CertificateFactory.getInstance("X.509").generateCertificate(pem));
            return store;
        } catch (GeneralSecurityException e) {
            throw new IOException("Cannot read the server's certificate", e);
        }
    }

    /** The server's certificate in a PKCS12 trust store file with {@code password}, for {@code -Djavax.net.ssl.trustStore}. */
    public Path trustStore(String password) throws IOException {
        Path file = dir.resolve("trust.p12");
        try (OutputStream out = Files.newOutputStream(file)) {
            trusting().store(out, password.toCharArray());
        } catch (GeneralSecurityException e) {
            throw new IOException("Cannot write the trust store", e);
        }
        return file;
    }

    /**
     * A server not started yet (clients find nothing on its port until {@link #start()}), requiring
     * {@code password}, and keeping its data across a crash: the append-only file is fsynced before each
     * reply ({@code appendfsync always}), so {@link #kill()} loses nothing acknowledged. (With the default
     * {@code everysec} a write can wait behind a slow fsync while its reply goes out, and a crash then loses it.)
     */
    public static RedisProcess persistentNotStarted(String password) throws IOException {
        return new RedisProcess(password, true, false);
    }

    /** Starts (or restarts, on the same port and data directory) the server and waits until it answers PING. */
    public void start() throws IOException {
        List<String> command = new ArrayList<>(List.of(executable, "--bind", "127.0.0.1",
                "--save", "", "--appendonly", persistent ? "yes" : "no", "--appendfsync", "always", "--dir", dir.toString()));
        if (certificate == null) {
            command.addAll(List.of("--port", String.valueOf(port)));
        } else {
            command.addAll(List.of("--port", "0", "--tls-port", String.valueOf(port), "--tls-cert-file", certificate.toString(),
                    "--tls-key-file", dir.resolve("redis.key").toString(), "--tls-auth-clients", "no"));
        }
        if (password != null) {
            command.addAll(List.of("--requirepass", password));
        }
        process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(
                ProcessBuilder.Redirect.appendTo(dir.resolve("redis.log").toFile())).start();
        Awaitility.await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(this::answersPing);
    }

    private static String executable(Path dir) throws IOException {
        String chosen = System.getProperty("redis.server", System.getenv("REDIS_SERVER"));
        if (chosen == null) {
            try {
                return IO.findBinaryInPath("redis-server").toString();
            } catch (FileNotFoundException notOnPath) {
                chosen = EMBEDDED;
            }
        }
        return chosen.equals(EMBEDDED) ? ExecutableProvider.newJarResourceProvider(dir.toFile()).get().getPath() : chosen;
    }

    /** Stops the server abruptly (as a crash or a network cut would look to clients). */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** Deletes what a stopped server kept on disk: it then starts empty, as one without persistence would. */
    public void wipe() throws IOException {
        try (var files = Files.walk(dir)) {
            for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                String name = file.getFileName().toString();
                if (!file.equals(dir) && (name.startsWith("appendonly") || name.endsWith(".rdb") || name.endsWith(".aof"))) {
                    Files.delete(file);
                }
            }
        }
    }

    /** {@code redis://127.0.0.1:port/0} ({@code rediss://} with TLS), with the password when the server requires one. */
    public String url() {
        return (certificate == null ? "redis://" : "rediss://") + (password == null ? "" : ":" + password + "@") + "127.0.0.1:" + port + "/0";
    }

    public int port() {
        return port;
    }

    private boolean answersPing() throws IOException {
        try (Socket socket = certificate == null ? new Socket("127.0.0.1", port) : tlsSocket()) {
            OutputStream out = socket.getOutputStream();
            out.write(((password == null ? "" : "AUTH " + password + "\r\n") + "PING\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            StringBuilder answer = new StringBuilder();
            byte[] chunk = new byte[64];
            int n;
            while (!answer.toString().endsWith("\r\n") || password != null && answer.indexOf("\r\n") == answer.length() - 2) {
                if ((n = in.read(chunk)) < 0) {
                    return false;
                }
                answer.append(new String(chunk, 0, n, StandardCharsets.US_ASCII));
            }
            return answer.toString().endsWith("+PONG\r\n");
        }
    }

    private Socket tlsSocket() throws IOException {
        try {
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trusting());
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context.getSocketFactory().createSocket("127.0.0.1", port);
        } catch (GeneralSecurityException e) {
            throw new IOException("Cannot set up TLS to the server", e);
        }
    }

    @Override
    public void close() {
        if (process != null) {
            process.destroyForcibly();
        }
    }
}
