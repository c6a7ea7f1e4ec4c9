package io.agentpay.gateway.startup;

import io.agentpay.gateway.log.Log;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The class-data archive a launch line names with {@code -XX:SharedArchiveFile=…}, made by this server for the
 * JVM and jar that use it. Java 17 cannot make an archive and read it in one launch line, and a named file
 * that is missing or was made by another JVM or jar only turns sharing off (the JVM's note goes to stderr
 * with the launch lines' {@code -Xlog} options; nothing reaches stdout). So once a session has been up a
 * while, the server checks the archive's stamp (the JVM, its options and the jar it was made for) and, when
 * it does not match, makes a new one in child JVMs (the same java, options and jar): a sandbox session driven
 * through what a host does first (initialize, the lists, a prompt, one {@code startPaymentCapture}) lists the
 * classes it loads, and a static dump of that list is the archive, so it holds the classes of the first
 * answers and the first call and no more (its pages count in every later launch's memory). The child's
 * stdout is read here and never reaches the client; a child that crashes or hangs costs the archive only.
 * The new file replaces the old one by a rename, so a JVM that has the old one mapped keeps it.
 */
public final class ClassDataArchive {
    static final String OPTION = "-XX:SharedArchiveFile=";
    /** How long the training session may take, start to exit, before it is stopped and counted as failed. */
    private static final long TRAINING_LIMIT_SECONDS = 120;
    /** Environment the child keeps: the rest (credentials, Redis, ports, public URL) is not the sandbox's business. */
    private static final List<String> KEPT_ENVIRONMENT = List.of("PATH", "HOME", "TMPDIR", "TMP", "TEMP", "LANG", "LC_ALL",
            "SYSTEMROOT", "USERPROFILE");

    private final String java;
    private final List<String> jvmOptions;
    private final String jar;
    private final Path archive;
    private final Path partial;
    private volatile Process child;
    private volatile boolean closed;

    ClassDataArchive(String java, List<String> jvmOptions, String jar, Path archive) {
        this.java = java;
        this.jvmOptions = List.copyOf(jvmOptions);
        this.jar = jar;
        this.archive = archive;
        this.partial = archive.resolveSibling(archive.getFileName() + "." + ProcessHandle.current().pid() + ".partial");
    }

    /**
     * After {@code delay}, on a daemon thread, makes the archive this launch line names if it is not current
     * (see {@link #refresh}); the returned action stops a training run in progress and removes its files.
     */
    public static Runnable refreshLater(Duration delay, Log log) {
        AtomicReference<ClassDataArchive> found = new AtomicReference<>();
        Thread thread = new Thread(() -> {
            try {
                Thread.sleep(delay.toMillis());
            } catch (InterruptedException e) {
                return;
            }
            ofThisLaunch().ifPresent(archive -> {
                found.set(archive);
                archive.refresh(log);
            });
        }, "class-data-archive");
        thread.setDaemon(true);
        thread.setPriority(Thread.MIN_PRIORITY);
        thread.start();
        return () -> {
            thread.interrupt();
            ClassDataArchive archive = found.get();
            if (archive != null) {
                archive.close();
            }
        };
    }

    /** Stops a training run in progress and removes its unfinished archive. */
    void close() {
        closed = true;
        Process running = child;
        if (running != null) {
            running.destroyForcibly();
            try {
                running.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            Files.deleteIfExists(partial);
        } catch (IOException e) {
            // left for the next run to overwrite
        }
    }

    /** The archive this process's launch line names, or empty (no such option, not launched with -jar, or the command line cannot be read). */
    public static Optional<ClassDataArchive> ofThisLaunch() {
        ProcessHandle.Info info = ProcessHandle.current().info();
        Optional<String> command = info.command();
        Optional<String[]> arguments = info.arguments();
        if (command.isEmpty() || arguments.isEmpty()) {
            return Optional.empty();
        }
        return of(command.get(), List.of(arguments.get()));
    }

    /**
     * The archive named among the JVM options of {@code java [options] -jar JAR [arguments]}; the archive's
     * path is read as the JVM reads it (relative to the working directory).
     */
    static Optional<ClassDataArchive> of(String java, List<String> arguments) {
        int jarAt = arguments.indexOf("-jar");
        if (jarAt < 0 || jarAt + 1 >= arguments.size()) {
            return Optional.empty();
        }
        List<String> options = new ArrayList<>();
        String named = null;
        for (String option : arguments.subList(0, jarAt)) {
            if (option.startsWith(OPTION)) {
                named = option.substring(OPTION.length());
            } else if (!option.startsWith("-XX:ArchiveClassesAtExit") && !option.startsWith("-Xshare") && !option.startsWith("-Xlog")) {
                // the launch's logging is its own: the children would write into its files
                options.add(option);
            }
        }
        if (named == null || named.isEmpty() || named.contains(File.pathSeparator)) {
            // a base:top pair is the user's own arrangement; leave it alone
            return Optional.empty();
        }
        return Optional.of(new ClassDataArchive(java, options, arguments.get(jarAt + 1), Path.of(named)));
    }

    public Path path() {
        return archive;
    }

    Path stampPath() {
        return archive.resolveSibling(archive.getFileName() + ".stamp");
    }

    /** What an archive fits: the JVM build, the options it ran with (but logging), the jar's path, size and time; one line. */
    String stamp() throws IOException {
        Path jarPath = Path.of(jar).toAbsolutePath();
        return String.join(" | ", System.getProperty("java.vm.vendor", "?"), System.getProperty("java.vm.version", "?"),
                System.getProperty("java.home", "?"), String.join(" ", jvmOptions), jarPath.toString(),
                Long.toString(Files.size(jarPath)), Long.toString(Files.getLastModifiedTime(jarPath).toMillis()));
    }

    /** Whether the archive exists and its stamp says it was made for this JVM, these options and this jar. */
    public boolean current() {
        try {
            return Files.size(archive) > 0 && Files.readString(stampPath(), StandardCharsets.UTF_8).strip().equals(stamp());
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Makes the archive unless it is current or another process is making it; says what happened on
     * {@code log}. Blocks for the training session (seconds); run it off every path a client waits on.
     */
    public void refresh(Log log) {
        if (current()) {
            return;
        }
        Path lock = archive.resolveSibling(archive.getFileName() + ".lock");
        try (FileChannel channel = FileChannel.open(lock, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock held = channel.tryLock()) {
            if (held == null || current()) {
                return; // another launch is making it, or just made it
            }
            removeLeftovers();
            long started = System.nanoTime();
            make();
            log.info("startup", "Class-data archive written to " + archive.toAbsolutePath() + " (" + Files.size(archive) / (1024 * 1024)
                    + " MiB, made in " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started) + " ms): later launches with "
                    + "this launch line answer their first tool call sooner.");
        } catch (IOException | UncheckedIOException e) {
            if (closed) {
                return;
            }
            log.warning("startup", "The class-data archive " + archive.toAbsolutePath() + " named by -XX:SharedArchiveFile could not "
                    + "be made (" + reason(e) + "). Until it can, this launch line starts without class-data sharing: make its "
                    + "folder writable, or take the option off the launch line.");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Two child JVMs: a sandbox session driven through {@link TrainingSession} lists the classes it loads; the
     * list without the sandbox's own classes (a real session never loads them) is then dumped into one archive,
     * the JDK's classes with the jar's, which replaces the JDK's default archive for this launch line.
     */
    private void make() throws IOException, InterruptedException {
        Path classList = archive.resolveSibling(archive.getFileName() + "." + ProcessHandle.current().pid() + ".classlist");
        try {
            List<String> session = command("-XX:DumpLoadedClassList=" + classList, "-jar", jar, "--sandbox");
            Process training = start(session);
            train(training);
            await(training, "the training session");
            List<String> classes = Files.readAllLines(classList, StandardCharsets.UTF_8);
            classes.removeIf(TrainingSession::onlyTheSandboxLoads);
            Files.write(classList, classes, StandardCharsets.UTF_8);
            Process dump = start(command("-Xshare:dump", "-XX:SharedClassListFile=" + classList, "-XX:SharedArchiveFile=" + partial,
                    "-cp", jar));
            dump.getOutputStream().close();
            await(dump, "the archive dump");
            if (!Files.exists(partial) || Files.size(partial) == 0) {
                throw new IOException("the dump (exit status " + dump.exitValue() + ") wrote no archive");
            }
            Files.deleteIfExists(stampPath());
            move(partial, archive);
            Path stamp = stampPath().resolveSibling(stampPath().getFileName() + ".partial");
            Files.writeString(stamp, stamp() + "\n", StandardCharsets.UTF_8);
            move(stamp, stampPath());
        } finally {
            Process running = child;
            if (running != null) {
                running.destroyForcibly();
            }
            Files.deleteIfExists(classList);
            Files.deleteIfExists(partial);
        }
    }

    /**
     * The unfinished files of a run that was stopped short (its process killed or halted): safe to remove
     * while this process holds the lock, since only the lock's holder writes them.
     */
    void removeLeftovers() throws IOException {
        String prefix = archive.getFileName() + ".";
        Path folder = archive.toAbsolutePath().getParent();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(folder, path -> {
            String name = path.getFileName().toString();
            return name.startsWith(prefix) && (name.endsWith(".partial") || name.endsWith(".classlist"));
        })) {
            for (Path file : files) {
                Files.deleteIfExists(file);
            }
        }
    }

    /** java, this launch's JVM options (without the archive's and the logging), then {@code rest}. */
    private List<String> command(String... rest) {
        List<String> command = new ArrayList<>();
        command.add(java);
        command.addAll(List.of("-Xlog:disable", "-Xlog:all=warning:stderr"));
        command.addAll(jvmOptions);
        command.addAll(List.of(rest));
        return command;
    }

    /** A child JVM with the sandbox's environment: nothing of this server's settings; its stderr discarded. */
    private Process start(List<String> command) throws IOException {
        if (closed) {
            throw new IOException("the server is closing");
        }
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD);
        Map<String, String> environment = builder.environment();
        environment.keySet().retainAll(KEPT_ENVIRONMENT);
        environment.put("CALLBACK_PORT", "0");
        Process started = builder.start();
        child = started;
        // Whatever it is waiting for, a child is stopped at the limit; the caller then sees its stream end.
        CompletableFuture.delayedExecutor(TRAINING_LIMIT_SECONDS, TimeUnit.SECONDS).execute(started::destroyForcibly);
        return started;
    }

    private static void await(Process process, String what) throws IOException, InterruptedException {
        // The dump writes its progress to stdout: read and drop it so a full pipe never blocks it.
        process.getInputStream().transferTo(OutputStream.nullOutputStream());
        int status = process.waitFor();
        if (status != 0) {
            throw new IOException(what + " ended with exit status " + status + " (stopped after " + TRAINING_LIMIT_SECONDS
                    + " s if it ran that long)");
        }
    }

    /** What a host does first, then stdin closed: the child exits, its class list complete. */
    static void train(Process child) throws IOException {
        OutputStream in = child.getOutputStream();
        for (String request : TrainingSession.REQUESTS) {
            in.write((request + "\n").getBytes(StandardCharsets.UTF_8));
        }
        in.flush();
        BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = out.readLine()) != null) {
            if (TrainingSession.isLastAnswer(line)) {
                in.close();
                return;
            }
        }
        throw new IOException("the training session ended before its tool call was answered");
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static String reason(Exception e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }
}
