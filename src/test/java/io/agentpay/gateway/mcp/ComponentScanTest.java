package io.agentpay.gateway.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentpay.gateway.GatewayFixture;
import io.agentpay.gateway.json.Json;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.ByteArrayOutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ComponentScanTest {
    static final List<String> PRODUCT = List.of(
            "io.agentpay.gateway.mcp.prompts.CardNumberPrompt",
            "io.agentpay.gateway.mcp.prompts.CompletionPrompt",
            "io.agentpay.gateway.mcp.prompts.ErrorPrompt",
            "io.agentpay.gateway.mcp.prompts.ExpirationDatePrompt",
            "io.agentpay.gateway.mcp.prompts.FinishCapturePrompt",
            "io.agentpay.gateway.mcp.prompts.SecurityCodePrompt",
            "io.agentpay.gateway.mcp.prompts.StartCapturePrompt",
            "io.agentpay.gateway.mcp.resources.PaymentStatusResource",
            "io.agentpay.gateway.mcp.tools.CancelPaymentCaptureTool",
            "io.agentpay.gateway.mcp.tools.CaptureBankAccountNumberTool",
            "io.agentpay.gateway.mcp.tools.CaptureBankRoutingNumberTool",
            "io.agentpay.gateway.mcp.tools.CaptureCardNumberTool",
            "io.agentpay.gateway.mcp.tools.CaptureExpirationDateTool",
            "io.agentpay.gateway.mcp.tools.CapturePostalCodeTool",
            "io.agentpay.gateway.mcp.tools.CaptureSecurityCodeTool",
            "io.agentpay.gateway.mcp.tools.CompletePaymentCaptureTool",
            "io.agentpay.gateway.mcp.tools.GetPaymentStatusTool",
            "io.agentpay.gateway.mcp.tools.StartPaymentCaptureTool");

    private final ClassLoader loader = getClass().getClassLoader();

    @Test
    void theBuildTimeIndexListsExactlyTheProductsComponents() {
        assertThat(ComponentScan.discover(loader)).containsExactlyElementsOf(PRODUCT);
    }

    @Test
    void startUpReadsTheIndexTheBuildWroteAndScansNothingElse() throws Exception {
        Path classes = Files.createTempDirectory("index-only");
        Path index = classes.resolve(ComponentScan.INDEX);
        Files.createDirectories(index.getParent());
        Files.writeString(index, "# written by the build\n\n  io.agentpay.gateway.mcp.tools.StartPaymentCaptureTool  \n");
        try (URLClassLoader indexOnly = new URLClassLoader(new URL[] {classes.toUri().toURL()}, null)) {
            assertThat(ComponentScan.discover(indexOnly)).containsExactly("io.agentpay.gateway.mcp.tools.StartPaymentCaptureTool");
        }
    }

    @Test
    void theProductsIndexBuildsEveryComponentAsStartUpDoes() throws Exception {
        try (GatewayFixture gateway = new GatewayFixture()) {
            ComponentScan.Components components = ComponentScan.build(ComponentScan.discover(loader), gateway.context, loader);
            assertThat(components.failures()).isEmpty();
            assertThat(components.tools()).hasSize(10);
            assertThat(components.prompts()).hasSize(7);
            assertThat(components.resources()).hasSize(1);
        }
    }

    @Test
    void theIndexMatchesAFreshClasspathScan() {
        List<String> scanned = ComponentScan.scan(loader).stream().filter(n -> !n.endsWith("ForTestTool")).toList();
        assertThat(scanned).containsExactlyElementsOf(ComponentScan.discover(loader));
    }

    @Test
    void aFactoryAddedToTheToolsPackageIsRegisteredWithoutTouchingAnyOtherFile() throws Exception {
        try (GatewayFixture gateway = new GatewayFixture()) {
            ComponentScan.Components components = ComponentScan.build(ComponentScan.scan(loader), gateway.context, loader);
            PipedOutputStream feed = new PipedOutputStream();
            StdioTransportProvider transport = new StdioTransportProvider(new JacksonMcpJsonMapper(Json.MAPPER), Json.MAPPER,
                    new PipedInputStream(feed), new ByteArrayOutputStream(), new StdioTransportProvider.Listener() {});
            McpSyncServer server = ServerAssembly.build(transport, new JacksonMcpJsonMapper(Json.MAPPER), gateway.context,
                    components, "test");
            try {
                assertThat(server.listTools()).extracting(McpSchema.Tool::name).contains("echoForTest", "startPaymentCapture");
            } finally {
                server.close();
                feed.close();
            }
        }
    }

    @Test
    void aFactoryThatFailsIsReportedAndTheOthersStillRegister() throws Exception {
        try (GatewayFixture gateway = new GatewayFixture()) {
            ComponentScan.Components components = ComponentScan.build(ComponentScan.scan(loader), gateway.context, loader);
            assertThat(components.failures()).singleElement().asString()
                    .contains("BrokenForTestTool").contains("broken on purpose");
            assertThat(components.tools()).hasSize(11);
            assertThat(components.prompts()).hasSize(7);
            assertThat(components.resources()).hasSize(1);
        }
    }
}
