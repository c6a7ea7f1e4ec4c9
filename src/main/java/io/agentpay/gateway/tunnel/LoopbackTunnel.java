package io.agentpay.gateway.tunnel;

import java.net.URI;

/** The sandbox's simulator runs on this machine, so it calls the endpoint on loopback directly. */
public record LoopbackTunnel(URI publicUrl) implements Tunnel {
    public static LoopbackTunnel onPort(int port) {
        return new LoopbackTunnel(URI.create("http://localhost:" + port));
    }

    @Override
    public String whatToCheck() {
        return "The sandbox's callback endpoint " + publicUrl + " stopped answering on loopback; restart the server.";
    }
}
