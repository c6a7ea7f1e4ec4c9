package io.agentpay.gateway.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.core.JsonFactory;
import io.agentpay.gateway.cli.StdioLaunch;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The early answers are only early if they need none of what takes long to load: the reader and its answers run here
 * in a class loader that holds the build's classes and jackson-core alone, and refuses the MCP SDK, Jackson databind,
 * Reactor, picocli and slf4j. A class of theirs on the early path would leave {@code initialize} or {@code tools/list}
 * unanswered.
 */
class EarlyPathClassesTest {
    static final List<String> REFUSED = List.of("io.modelcontextprotocol.", "com.fasterxml.jackson.databind.", "reactor.",
            "picocli.", "org.slf4j.");

    /** The build's classes and jackson-core, over the JDK's; records every refused class asked for. */
    static final class EarlyPathLoader extends URLClassLoader {
        final List<String> refused = new CopyOnWriteArrayList<>();

        EarlyPathLoader() {
            super(new URL[] {location(EarlyAnswers.class), location(JsonFactory.class)}, ClassLoader.getPlatformClassLoader());
        }

        private static URL location(Class<?> type) {
            return type.getProtectionDomain().getCodeSource().getLocation();
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (REFUSED.stream().anyMatch(name::startsWith)) {
                refused.add(name);
                throw new ClassNotFoundException(name);
            }
            return super.loadClass(name, resolve);
        }
    }

    @Test
    void initializeAndToolsListAreAnsweredWithoutTheSdkDatabindReactorPicocliOrSlf4j() throws Exception {
        String initialize = EarlyAnswersTest.initialize("1", "2025-06-18");
        String list = EarlyAnswersTest.toolsList("2", "");
        List<String> expected = EarlyAnswersTest.earlyAnswers(EarlyAnswers.forServer("9.9.9"), initialize,
                EarlyAnswersTest.INITIALIZED, list);
        try (EarlyPathLoader loader = new EarlyPathLoader(); PipedOutputStream feed = new PipedOutputStream()) {
            Class<?> launch = loader.loadClass(StdioLaunch.class.getName());
            assertThat(launch.getMethod("servesStdio", String[].class, Map.class).invoke(null, new String[] {"--sandbox"}, Map.of()))
                    .isEqualTo(true);
            Class<?> answers = loader.loadClass(EarlyAnswers.class.getName());
            Class<?> channel = loader.loadClass(StdioChannel.class.getName());
            assertThat(channel.getClassLoader()).isSameAs(loader);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            Object stdio = channel.getConstructor(InputStream.class, OutputStream.class, answers)
                    .newInstance(new PipedInputStream(feed, 1 << 16), out, answers.getMethod("forServer", String.class).invoke(null, "9.9.9"));
            channel.getMethod("start").invoke(stdio);
            for (String line : List.of(initialize, EarlyAnswersTest.INITIALIZED, list)) {
                feed.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            }
            feed.flush();
            await().atMost(Duration.ofSeconds(20)).until(() -> out.toString(StandardCharsets.UTF_8).lines().count() == 2
                    || !loader.refused.isEmpty());
            assertThat(loader.refused).as("classes the early path asked for").isEmpty();
            assertThat(out.toString(StandardCharsets.UTF_8).lines()).containsExactly(expected.get(0), expected.get(2));
        }
    }
}
