package io.agentpay.gateway.sandbox;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The legs of the simulated calls, as Twilio's Calls API describes them: who is at the far end
 * ({@code from}/{@code to} by {@code direction}) and which leg is whose parent. Most calls are one
 * inbound leg from a phone number; the bridged scenarios add an agent's SIP leg. Not thread-safe:
 * the simulator calls it under its lock.
 */
final class CallTopology {
    static final String CALLER = "+15555550100";
    static final String TWILIO_NUMBER = "+15555550199";
    static final String AGENT_SIP = "sip:agent@pbx.example.com";

    /** One call leg. {@code parentCallSid} is null for a parent. */
    record Leg(String callSid, String parentCallSid, String direction, String from, String to) {}

    private final Map<String, Leg> legs = new HashMap<>();

    /** The leg with this SID, creating it (and the legs bridged to it) on first sight. */
    Leg leg(String callSid) {
        Leg known = legs.get(callSid);
        if (known != null) {
            return known;
        }
        switch (Scenario.of(callSid)) {
            case SIP_CHILD_LEG -> {
                // A caller dialled the Twilio number; <Dial><Sip> bridged the agent's SIP phone as a child leg.
                String parent = related(callSid, "a007");
                add(new Leg(parent, null, "inbound", CALLER, TWILIO_NUMBER));
                add(new Leg(callSid, parent, "outbound-dial", TWILIO_NUMBER, AGENT_SIP));
            }
            case SIP_PARENT_LEG -> {
                // The agent's SIP phone called in; <Dial><Number> reached the caller as a child leg.
                add(new Leg(callSid, null, "inbound", AGENT_SIP, "sip:" + CALLER + "@example.sip.twilio.com"));
                add(new Leg(related(callSid, "a008"), callSid, "outbound-dial", TWILIO_NUMBER, CALLER));
            }
            case NO_PSTN_LEG -> {
                add(new Leg(callSid, null, "inbound", AGENT_SIP, "client:caller-app"));
                add(new Leg(related(callSid, "a00c"), callSid, "outbound-dial", AGENT_SIP, "client:caller-app"));
            }
            default -> add(new Leg(callSid, null, "inbound", CALLER, TWILIO_NUMBER));
        }
        return legs.get(callSid);
    }

    /** The legs whose parent is {@code parentCallSid} (Calls list with {@code ParentCallSid}). */
    List<Leg> children(String parentCallSid) {
        leg(parentCallSid);
        return legs.values().stream().filter(l -> parentCallSid.equals(l.parentCallSid())).toList();
    }

    /** True when the leg's far end is a phone number: only then do keypad tones reach a payment on it. */
    boolean reachesPhone(String callSid) {
        Leg leg = leg(callSid);
        String farEnd = leg.direction().startsWith("outbound") ? leg.to() : leg.from();
        return farEnd.startsWith("+");
    }

    /** The SID callbacks carry: the parent leg of a two-leg call. */
    String reported(String callSid) {
        Leg leg = leg(callSid);
        return leg.parentCallSid() == null ? callSid : leg.parentCallSid();
    }

    /** A leg bridged to {@code callSid}: the same SID with another (scenario-free) suffix. */
    private static String related(String callSid, String suffix) {
        return callSid.substring(0, callSid.length() - 4) + suffix;
    }

    private void add(Leg leg) {
        if (legs.size() >= 50_000) {
            legs.clear(); // a sandbox left running for days: forget old calls rather than grow without bound
        }
        legs.putIfAbsent(leg.callSid(), leg);
    }
}
