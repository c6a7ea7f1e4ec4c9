package io.agentpay.gateway.twilio;

import com.twilio.exception.TwilioException;
import com.twilio.http.TwilioRestClient;
import com.twilio.rest.api.v2010.account.Call;
import io.agentpay.gateway.state.Sids;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Finds the leg of a call that carries the caller's keypad tones. DTMF is heard only on the leg
 * that reaches the phone network: a payment opened on a SIP or {@code client:} leg never receives
 * a digit. Given an agent's leg, the PSTN leg is its parent or its child whose far end is a phone
 * number; the choice is remembered so later tools accept either SID. Twilio's {@code to} and
 * {@code from} are never repeated (they may hold anything): only what kind of address they are.
 */
final class CallLegs {
    /** The leg a payment runs on, and why, when it is not the one the agent gave. */
    record Choice(String callSid, String givenCallSid, String reason) {
        Map<String, Object> toView() {
            Map<String, Object> view = new LinkedHashMap<>();
            view.put("paymentLeg", callSid);
            view.put("givenCallSid", givenCallSid);
            view.put("why", reason);
            return view;
        }
    }

    private enum End { PHONE, SIP, CLIENT, OTHER }

    private static final int REMEMBERED = 10_000;

    private final TwilioRestClient client;
    private final String accountSid;
    /** Agent leg → choice, the latest {@value #REMEMBERED}. */
    private final Map<String, Choice> chosen = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Choice> eldest) {
            return size() > REMEMBERED;
        }
    };

    CallLegs(TwilioRestClient client, String accountSid) {
        this.client = client;
        this.accountSid = accountSid;
    }

    /** The PSTN leg for a call the agent names; checks that it is in progress. */
    String pstnLeg(String callSid) {
        Call given = fetch(callSid, null);
        requireInProgress(given, callSid);
        End end = farEnd(given);
        if (end != End.SIP && end != End.CLIENT) {
            return callSid;
        }
        String what = end == End.SIP ? "a SIP address" : "a client identity";
        String parentSid = given.getParentCallSid();
        boolean parentChecked = false;
        if (Sids.is(parentSid, Sids.CALL)) {
            Call parent = fetch(parentSid, null);
            parentChecked = true;
            if (parent.getStatus() == Call.Status.IN_PROGRESS && farEnd(parent) == End.PHONE) {
                return remember(new Choice(parentSid, callSid, "Call " + callSid + " is the agent's leg (its far end is "
                        + what + "), so it never hears the caller's keypad. The payment runs on its parent call " + parentSid
                        + ", whose far end is the caller's phone number. Either SID works with the other tools."));
            }
        }
        List<String> phoneChildren;
        try {
            phoneChildren = Call.reader(accountSid).setParentCallSid(callSid).setPageSize(20L).firstPage(client).getRecords()
                    .stream()
                    .filter(c -> Sids.is(c.getSid(), Sids.CALL) && c.getStatus() == Call.Status.IN_PROGRESS && farEnd(c) == End.PHONE)
                    .map(Call::getSid).distinct().toList();
        } catch (TwilioException e) {
            throw TwilioErrors.translate(e, "the lookup of the call's other legs", callSid, null);
        }
        if (phoneChildren.size() == 1) {
            String child = phoneChildren.get(0);
            return remember(new Choice(child, callSid, "Call " + callSid + " is the agent's leg (its far end is " + what
                    + "), so it never hears the caller's keypad. The payment runs on its child call " + child
                    + ", which dialled the caller's phone number. Either SID works with the other tools."));
        }
        if (phoneChildren.size() > 1) {
            throw new PaymentException("pstn-leg-ambiguous", null, "Call " + callSid + " has " + phoneChildren.size()
                    + " live child calls to phone numbers (" + String.join(", ", phoneChildren) + "), so the caller's leg "
                    + "cannot be told apart.", "Call startPaymentCapture again with the SID of the caller's own leg.");
        }
        throw new PaymentException("no-pstn-leg", null, "Call " + callSid + " cannot take a keypad payment: its far end is "
                + what + ", " + (parentChecked ? "its parent call " + parentSid + " is not a live call to a phone number,"
                : "it has no parent call,") + " and none of its live child calls reaches a phone number. Keypad tones (DTMF) are heard only on the leg that connects to "
                + "the phone network, so no leg of this call would receive the caller's digits.",
                "Use the SID of the leg that connects to the caller's phone number (in Twilio's call logs, the leg whose "
                        + "From or To is a phone number). If the caller is on a SIP or app connection, take the payment another way.");
    }

    /** The PSTN leg chosen for {@code callSid} earlier, or {@code callSid} itself. */
    String resolve(String callSid) {
        synchronized (chosen) {
            Choice choice = chosen.get(callSid);
            return choice == null ? callSid : choice.callSid();
        }
    }

    /** Why {@code callSid} was replaced by another leg, when it was. */
    Optional<Choice> choiceFor(String callSid) {
        synchronized (chosen) {
            return Optional.ofNullable(chosen.get(callSid));
        }
    }

    /** Refuses a call that is not live, with the hint that the caller has probably hung up. */
    void requireInProgress(String callSid, String paymentSid) {
        requireInProgress(fetch(callSid, paymentSid), callSid);
    }

    private String remember(Choice choice) {
        synchronized (chosen) {
            chosen.put(choice.givenCallSid(), choice);
        }
        return choice.callSid();
    }

    private Call fetch(String callSid, String paymentSid) {
        try {
            return Call.fetcher(accountSid, callSid).fetch(client);
        } catch (TwilioException e) {
            throw TwilioErrors.translate(e, "the call lookup", callSid, paymentSid);
        }
    }

    private static void requireInProgress(Call call, String callSid) {
        if (call.getStatus() != Call.Status.IN_PROGRESS) {
            throw TwilioErrors.callEnded("call " + callSid, String.valueOf(call.getStatus()));
        }
    }

    /** What the other end of this leg is: {@code to} for calls Twilio placed, {@code from} for calls it received. */
    private static End farEnd(Call call) {
        String direction = call.getDirection();
        String address = direction != null && direction.startsWith("outbound") ? call.getTo() : call.getFrom();
        if (address == null) {
            return End.OTHER;
        }
        String a = address.strip().toLowerCase(java.util.Locale.ROOT);
        if (a.startsWith("sip:") || a.startsWith("sips:")) {
            return End.SIP;
        }
        if (a.startsWith("client:")) {
            return End.CLIENT;
        }
        return a.matches("\\+?[0-9]{3,15}") ? End.PHONE : End.OTHER;
    }
}
