package io.agentpay.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentpay.gateway.json.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

/**
 * The files that install the server elsewhere (the bundle's manifest, server.json for the MCP
 * Registry, jbang-catalog.json) agree with pom.xml on the version, the repository, the artifact
 * names and the JVM flags, and with each other on the settings.
 */
class DistributionFilesTest {
    private static final List<String> LOG_FLAGS = List.of("-Xlog:disable", "-Xlog:all=warning:stderr");

    private final Document pom = parse(Path.of("pom.xml"));
    private final String version = pomValue("version");
    private final String repository = pomValue("url");
    private final String finalName = pomValue("finalName");
    private final String releases = repository + "/releases/download/v" + version + "/";
    private final JsonNode manifest = json("src/mcpb/manifest.json");
    private final JsonNode server = json("server.json");
    private final JsonNode jbang = json("jbang-catalog.json").path("aliases").path("twilio-agent-payments");

    @Test
    void theRepositoryIsAGitHubRepository() {
        assertThat(repository).matches("https://github\\.com/[A-Za-z0-9-]+/[A-Za-z0-9._-]+");
        assertThat(version).matches("\\d+\\.\\d+\\.\\d+(-[0-9A-Za-z.-]+)?");
    }

    @Test
    void theBundleManifestCarriesTheProjectsVersionAndLaunchFlags() throws IOException {
        assertThat(manifest.path("version").asText()).isEqualTo(version);
        assertThat(manifest.path("name").asText()).isEqualTo(finalName);
        assertThat(manifest.path("repository").path("url").asText()).isEqualTo(repository + ".git");
        List<String> args = texts(manifest.path("server").path("mcp_config").path("args"));
        assertThat(args.get(0)).isEqualTo("${__dirname}/" + manifest.path("server").path("entry_point").asText());
        assertThat(args.subList(args.indexOf("-jar"), args.size()))
                .containsExactly("-jar", "${__dirname}/server/" + finalName + ".jar");
        List<String> flags = new ArrayList<>(launchFlags());
        // The class-data archive the server makes beside its jar in the install folder (startup.ClassDataArchive).
        flags.add("-XX:SharedArchiveFile=${__dirname}/server/" + finalName + ".jsa");
        assertThat(args.subList(1, args.indexOf("-jar"))).isEqualTo(flags);
        assertThat(manifest.path("server").path("mcp_config").path("env").path("LANG").asText()).isEqualTo("C.UTF-8");
    }

    @Test
    void everyUserSettingReachesTheServerAsAnEnvironmentVariableNeverAsAnArgument() {
        JsonNode config = manifest.path("server").path("mcp_config");
        assertThat(config.path("args").toString()).doesNotContain("user_config");
        Map<String, String> settingOf = settingsByVariable();
        List<String> declared = new ArrayList<>();
        manifest.path("user_config").fieldNames().forEachRemaining(declared::add);
        assertThat(settingOf.values()).containsExactlyInAnyOrderElementsOf(declared);
        manifest.path("user_config").fields().forEachRemaining(e -> {
            JsonNode option = e.getValue();
            assertThat(option.path("title").asText()).as(e.getKey()).isNotBlank();
            assertThat(option.path("description").asText().length()).as(e.getKey()).isGreaterThan(40);
            assertThat(option.has("required") && option.path("required").asBoolean())
                    .as("%s: a required setting cannot be left out for the sandbox", e.getKey()).isFalse();
            assertThat(option.has("default"))
                    .as("%s: a default, so that a setting left empty is not passed as ${user_config...}", e.getKey()).isTrue();
        });
        for (String secret : List.of("api_secret", "auth_token", "ngrok_auth_token")) {
            assertThat(manifest.path("user_config").path(secret).path("sensitive").asBoolean()).as(secret).isTrue();
        }
    }

    @Test
    void serverJsonPublishesThisVersionsBundleWithTheManifestsSettings() {
        assertThat(server.path("version").asText()).isEqualTo(version);
        String owner = repository.substring("https://github.com/".length());
        assertThat(server.path("name").asText()).isEqualTo("io.github." + owner);
        assertThat(server.path("repository").path("url").asText()).isEqualTo(repository);
        assertThat(server.path("description").asText().length()).as("the registry's limit").isBetween(1, 100);
        JsonNode bundle = server.path("packages").get(0);
        assertThat(server.path("packages")).hasSize(1);
        assertThat(bundle.path("registryType").asText()).isEqualTo("mcpb");
        assertThat(bundle.path("identifier").asText()).isEqualTo(releases + finalName + ".mcpb");
        assertThat(bundle.path("version").asText()).isEqualTo(version);
        assertThat(bundle.path("transport").path("type").asText()).isEqualTo("stdio");
        assertThat(bundle.has("fileSha256")).as("written by the release workflow from the published file").isFalse();

        Map<String, String> settingOf = settingsByVariable();
        Map<String, Boolean> secret = new HashMap<>();
        bundle.path("environmentVariables").forEach(v -> secret.put(v.path("name").asText(), v.path("isSecret").asBoolean()));
        settingOf.remove("AGENTPAY_JAVA_HOME"); // where Java is: a setting of this computer, not of the server
        assertThat(secret.keySet()).containsExactlyInAnyOrderElementsOf(settingOf.keySet());
        settingOf.forEach((variable, setting) -> assertThat(secret.get(variable)).as(variable)
                .isEqualTo(manifest.path("user_config").path(setting).path("sensitive").asBoolean()));
    }

    @Test
    void theJBangAliasRunsThisVersionsReleasedJarWithTheLaunchFlags() throws IOException {
        assertThat(jbang.path("script-ref").asText()).isEqualTo(releases + finalName + ".jar");
        assertThat(jbang.path("java").asText()).isEqualTo("17+");
        assertThat(texts(jbang.path("java-options"))).isEqualTo(launchFlags());
    }

    /** The flags of bench/jvm-flags (those measured), which start with the two that keep JVM warnings off stdout. */
    private static List<String> launchFlags() throws IOException {
        List<String> flags = Arrays.asList(Files.readString(Path.of("bench/jvm-flags")).trim().split("\\s+"));
        assertThat(flags.subList(0, LOG_FLAGS.size())).isEqualTo(LOG_FLAGS);
        return flags;
    }

    /** Environment variable -> the user_config key it is filled from. */
    private Map<String, String> settingsByVariable() {
        Pattern placeholder = Pattern.compile("\\$\\{user_config\\.([a-z_]+)}");
        Map<String, String> settings = new HashMap<>();
        manifest.path("server").path("mcp_config").path("env").fields().forEachRemaining(e -> {
            Matcher m = placeholder.matcher(e.getValue().asText());
            if (m.matches()) {
                settings.put(e.getKey(), m.group(1));
            }
        });
        return settings;
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(n -> texts.add(n.asText()));
        return texts;
    }

    private String pomValue(String element) {
        // the project's own element: the first of that name directly under <project> or <build>
        for (var parent : List.of(pom.getDocumentElement(), (org.w3c.dom.Element) pom.getElementsByTagName("build").item(0))) {
            for (var node = parent.getFirstChild(); node != null; node = node.getNextSibling()) {
                if (node instanceof org.w3c.dom.Element e && e.getTagName().equals(element)) {
                    return e.getTextContent().trim();
                }
            }
        }
        throw new AssertionError("pom.xml has no <" + element + ">");
    }

    private static Document parse(Path file) {
        try {
            return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(file.toFile());
        } catch (Exception e) {
            throw new AssertionError(file.toString(), e);
        }
    }

    private static JsonNode json(String file) {
        try {
            return Json.MAPPER.readTree(Path.of(file).toFile());
        } catch (IOException e) {
            throw new AssertionError(file, e);
        }
    }
}
