package io.agentpay.gateway.tunnel;

import java.net.URI;

/** The user's own ingress (reverse proxy, cloud host, another tunnel) given as PUBLIC_URL; nothing to open or reopen. */
public record PublicUrlTunnel(URI publicUrl, int localPort) implements Tunnel {
    @Override
    public String whatToCheck() {
        return "Check that the proxy or tunnel behind PUBLIC_URL " + publicUrl + " is running and forwards to this "
                + "server's callback port " + localPort + ".";
    }
}
