package io.agentpay.gateway.startup;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClassDataArchiveTest {
    @TempDir
    Path dir;

    private Path jar() throws Exception {
        Path jar = dir.resolve("gateway.jar");
        if (!Files.exists(jar)) {
            Files.write(jar, new byte[] {1, 2, 3});
        }
        return jar;
    }

    private ClassDataArchive archive(String... jvmOptions) throws Exception {
        List<String> arguments = new java.util.ArrayList<>(List.of(jvmOptions));
        arguments.add("-XX:SharedArchiveFile=" + dir.resolve("gateway.jsa"));
        arguments.addAll(List.of("-jar", jar().toString(), "ACxx", "SKxx", "secret"));
        return ClassDataArchive.of("/usr/bin/java", arguments).orElseThrow();
    }

    @Test
    void readsTheArchiveAndTheJvmOptionsFromTheLaunchLine() throws Exception {
        List<String> arguments = List.of("-Xmx256m", "-XX:SharedArchiveFile=/opt/gw/gateway.jsa", "-Xshare:auto", "-jar", "/opt/gw/g.jar",
                "--sandbox", "-XX:SharedArchiveFile=/not/a/jvm/option.jsa");
        ClassDataArchive archive = ClassDataArchive.of("/usr/bin/java", arguments).orElseThrow();
        assertThat(archive.path()).isEqualTo(Path.of("/opt/gw/gateway.jsa"));
    }

    @Test
    void nothingToMakeWithoutTheOptionWithoutAJarOrForABaseAndTopPair() {
        assertThat(ClassDataArchive.of("java", List.of("-Xmx256m", "-jar", "g.jar"))).isEmpty();
        assertThat(ClassDataArchive.of("java", List.of("-XX:SharedArchiveFile=a.jsa", "-cp", "g.jar", "io.agentpay.gateway.Main"))).isEmpty();
        assertThat(ClassDataArchive.of("java", List.of("-XX:SharedArchiveFile=a.jsa", "-jar"))).isEmpty();
        assertThat(ClassDataArchive.of("java", List.of("-XX:SharedArchiveFile=base.jsa" + java.io.File.pathSeparator + "top.jsa", "-jar",
                "g.jar"))).isEmpty();
        assertThat(ClassDataArchive.of("java", List.of("-XX:SharedArchiveFile=", "-jar", "g.jar"))).isEmpty();
    }

    @Test
    void anArchiveIsCurrentOnlyWithAStampForThisJvmTheseOptionsAndThisJar() throws Exception {
        ClassDataArchive archive = archive("-Xmx256m");
        assertThat(archive.current()).as("no archive yet").isFalse();
        Files.write(archive.path(), new byte[] {42});
        assertThat(archive.current()).as("an archive without a stamp (another tool's, or an unfinished run)").isFalse();
        Files.writeString(archive.stampPath(), archive.stamp() + "\n", StandardCharsets.UTF_8);
        assertThat(archive.current()).isTrue();

        assertThat(archive("-Xmx512m").current()).as("other JVM options").isFalse();
        assertThat(archive("-Xmx256m").current()).isTrue();
        assertThat(archive("-Xmx256m", "-Xlog:class+load=info:file=classes.txt").current()).as("logging does not change an archive").isTrue();

        Files.setLastModifiedTime(jar(), FileTime.fromMillis(Files.getLastModifiedTime(jar()).toMillis() + 60_000));
        assertThat(archive.current()).as("the jar was rebuilt").isFalse();
    }

    @Test
    void anEmptyArchiveIsNotCurrent() throws Exception {
        ClassDataArchive archive = archive();
        Files.write(archive.path(), new byte[0]);
        Files.writeString(archive.stampPath(), archive.stamp() + "\n", StandardCharsets.UTF_8);
        assertThat(archive.current()).isFalse();
    }

    @Test
    void aRunStoppedShortLeavesNothingTheNextRunKeeps() throws Exception {
        ClassDataArchive archive = archive();
        Path partial = dir.resolve("gateway.jsa.4242.partial");
        Path classList = dir.resolve("gateway.jsa.4242.classlist");
        Path other = dir.resolve("other.jsa.4242.partial");
        for (Path file : List.of(partial, classList, other)) {
            Files.write(file, new byte[] {1});
        }
        Files.write(archive.path(), new byte[] {42});
        archive.removeLeftovers();
        assertThat(partial).doesNotExist();
        assertThat(classList).doesNotExist();
        assertThat(other).as("another archive's run").exists();
        assertThat(archive.path()).exists();
    }

    @Test
    void theArchiveLeavesOutWhatOnlyTheSandboxLoads() {
        assertThat(TrainingSession.onlyTheSandboxLoads("io/agentpay/gateway/sandbox/PaySimulator id: 12")).isTrue();
        assertThat(TrainingSession.onlyTheSandboxLoads("sun/net/httpserver/ServerImpl id: 13")).isTrue();
        assertThat(TrainingSession.onlyTheSandboxLoads("@lambda-proxy io/agentpay/gateway/sandbox/PaySimulator run ()V")).isTrue();
        assertThat(TrainingSession.onlyTheSandboxLoads("io/agentpay/gateway/callback/CallbackHandler id: 14")).isFalse();
        assertThat(TrainingSession.onlyTheSandboxLoads("com/fasterxml/jackson/databind/ObjectMapper id: 15")).isFalse();
    }

    @Test
    void theTrainingEndsAtTheAnswerToItsToolCall() {
        assertThat(TrainingSession.REQUESTS.get(TrainingSession.REQUESTS.size() - 1)).contains("startPaymentCapture");
        assertThat(TrainingSession.isLastAnswer("{\"jsonrpc\":\"2.0\",\"id\":6,\"result\":{}}")).isTrue();
        assertThat(TrainingSession.isLastAnswer("{\"jsonrpc\":\"2.0\",\"id\":5,\"result\":{}}")).isFalse();
        assertThat(TrainingSession.isLastAnswer("{\"jsonrpc\":\"2.0\",\"id\":60,\"result\":{}}")).isFalse();
        assertThat(TrainingSession.isLastAnswer("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/message\",\"params\":{}}")).isFalse();
    }
}
