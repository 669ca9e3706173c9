package io.durablestreams.subscriptions;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The body of a webhook callback, pull-wake ack or release: the wake it belongs to, the offsets
 * processed and whether the worker is done.
 *
 * @param wakeId the wake the worker was given
 * @param generation the generation the worker was given
 * @param acks processed offsets, in request order
 * @param done whether the worker finished the wake and releases the lease
 */
record WakeRequest(String wakeId, long generation, List<Ack> acks, boolean done) {

    /** Maximum number of acks in one request. */
    static final int MAX_ACKS = 10_000;

    /**
     * One processed offset.
     *
     * @param stream the stream path
     * @param offset the last processed offset, inclusive, as the client sent it
     */
    record Ack(String stream, String offset) {
    }

    WakeRequest {
        acks = List.copyOf(acks);
    }

    /**
     * Reads a request body.
     *
     * @param json the parsed body
     * @return the request
     * @throws SubscriptionException {@code INVALID_REQUEST} naming the invalid field
     */
    static WakeRequest fromJson(Object json) {
        if (!(json instanceof Map<?, ?> body)) {
            throw SubscriptionException.invalidRequest("Request body must be a JSON object");
        }
        String wakeId = JsonFields.requiredString(body, "wake_id");
        long generation = JsonFields.optionalLong(body, "generation").orElseThrow(() ->
                SubscriptionException.invalidRequest("generation is required"));
        List<Ack> acks = new ArrayList<>();
        Object rawAcks = body.get("acks");
        if (rawAcks != null) {
            if (!(rawAcks instanceof List<?> list)) {
                throw SubscriptionException.invalidRequest("acks must be an array");
            }
            if (list.size() > MAX_ACKS) {
                throw SubscriptionException.invalidRequest("acks has more than " + MAX_ACKS
                        + " entries");
            }
            for (Object element : list) {
                if (!(element instanceof Map<?, ?> ack)) {
                    throw SubscriptionException.invalidRequest("acks must contain objects with"
                            + " stream and offset");
                }
                // "path" is accepted as another name for "stream".
                String stream = JsonFields.optionalString(ack, "stream")
                        .or(() -> JsonFields.optionalString(ack, "path"))
                        .orElseThrow(() -> SubscriptionException.invalidRequest("Every ack"
                                + " needs a stream"));
                acks.add(new Ack(stream, JsonFields.requiredString(ack, "offset")));
            }
        }
        return new WakeRequest(wakeId, generation, acks, JsonFields.optionalBoolean(body, "done"));
    }
}
