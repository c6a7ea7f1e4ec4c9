package io.agentpay.gateway.bench;

import io.agentpay.gateway.sandbox.PaySimulator;
import java.time.Duration;

/**
 * The loopback Twilio emulator on its own, for bench/first-answers.sh: accepts the given account SID, API key,
 * secret and auth token, prints its base URL (for TWILIO_API_BASE_URL) as one line on stdout and serves until
 * stdin closes. The simulated caller keys slowly, so that no callback competes with the server being timed.
 * Usage: TwilioEmulator ACCOUNT_SID API_KEY API_SECRET AUTH_TOKEN
 */
public final class TwilioEmulator {
    private TwilioEmulator() {}

    public static void main(String[] args) throws Exception {
        try (PaySimulator twilio = new PaySimulator(new PaySimulator.Credentials(args[0], args[1], args[2], args[3]),
                Duration.ofMinutes(10))) {
            System.out.println(twilio.baseUrl());
            System.out.flush();
            System.in.transferTo(java.io.OutputStream.nullOutputStream());
        }
    }
}
