package io.agentpay.gateway.tunnel;

import java.net.URI;

/** The user's own ingress (reverse proxy, cloud host, another tunnel) given as PUBLIC_URL; nothing to open. */
public record PublicUrlTunnel(URI publicUrl) implements Tunnel {}
