package io.durablestreams.subscriptions;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.durablestreams.store.Offsets;
import io.durablestreams.subscriptions.StreamLinks.LinkState;

/**
 * Builds the JSON documents that describe a subscription: the resource that PUT and GET return,
 * and the stream entries of webhook bodies and claims.
 */
final class SubscriptionViews {

    private static final DateTimeFormatter TIMESTAMP =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private SubscriptionViews() {
    }

    /**
     * Returns a subscription as PUT and GET return it.
     *
     * @param s a live subscription, whose lock the caller holds
     * @param states its links with their tails
     * @param baseUrl absolute URL of the stream root, for the JWKS URL
     * @param kid id of the active webhook signing key
     * @return the JSON object
     */
    static Map<String, Object> view(Subscription s, List<LinkState> states, String baseUrl,
                                    String kid) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", s.id);
        view.put("subscription_id", s.id);
        view.put("type", s.config.type().wireName());
        view.put("pattern", s.config.pattern().orElse(null));

        List<Object> streams = new ArrayList<>();
        for (LinkState state : states) {
            Map<String, Object> stream = new LinkedHashMap<>();
            stream.put("path", state.link().path);
            stream.put("link_type", state.link().linkType());
            stream.put("acked_offset", Offsets.format(state.link().ackedPosition));
            streams.add(stream);
        }
        view.put("streams", streams);

        if (s.config.webhookUrl().isPresent()) {
            Map<String, Object> signing = new LinkedHashMap<>();
            signing.put("alg", "ed25519");
            signing.put("kid", kid);
            signing.put("jwks_url", baseUrl + "/" + StreamPathSyntax.RESERVED_PREFIX
                    + "/jwks.json");
            Map<String, Object> webhook = new LinkedHashMap<>();
            webhook.put("url", s.config.webhookUrl().get());
            webhook.put("signing", signing);
            view.put("webhook", webhook);
        } else {
            view.put("webhook", null);
        }

        view.put("wake_stream", s.config.wakeStream().orElse(null));
        view.put("lease_ttl_ms", s.config.leaseTtlMillis());
        view.put("created_at", TIMESTAMP.format(s.createdAt));
        view.put("status", s.retryPending() ? "failed" : "active");
        view.put("description", s.config.description().orElse(null));
        return view;
    }

    /**
     * Returns the {@code streams} entries of a webhook body or claim response.
     *
     * @param states links with their tails
     * @return one object per link: path, link type, acked and tail offsets, and whether data is
     *         pending
     */
    static List<Object> streamInfos(List<LinkState> states) {
        List<Object> infos = new ArrayList<>(states.size());
        for (LinkState state : states) {
            Map<String, Object> info = new LinkedHashMap<>();
            info.put("path", state.link().path);
            info.put("link_type", state.link().linkType());
            info.put("acked_offset", Offsets.format(state.link().ackedPosition));
            info.put("tail_offset", Offsets.format(state.tail()));
            info.put("has_pending", state.pending());
            infos.add(info);
        }
        return infos;
    }
}
