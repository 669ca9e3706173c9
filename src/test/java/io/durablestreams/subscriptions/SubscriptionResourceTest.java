package io.durablestreams.subscriptions;

import java.util.List;
import java.util.Map;

import io.durablestreams.security.AccessPolicy;
import io.durablestreams.security.TokenAccessPolicy;
import io.durablestreams.store.Offsets;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

class SubscriptionResourceTest {

    private static final String PULL = "{\"type\":\"pull-wake\",\"pattern\":\"events/*\","
            + "\"streams\":[\"manual/b\",\"manual/a\",\"manual/a\"],\"wake_stream\":\"wake/w\","
            + "\"description\":\"d\"}";

    private static Map<?, ?> link(SubscriptionTestServer server, String id, String path) {
        for (Object entry : (List<?>) server.getSubscription(id).json().get("streams")) {
            if (path.equals(((Map<?, ?>) entry).get("path"))) {
                return (Map<?, ?>) entry;
            }
        }
        return null;
    }

    @Test
    void identicalPutReconfirmsAndDifferentConflicts() {
        try (SubscriptionTestServer server = SubscriptionTestServer.start()) {
            assertEquals(201, server.putSubscription("s1", PULL).status());
            // Stream order and duplicates do not change the normalized configuration.
            String reordered = PULL.replace("[\"manual/b\",\"manual/a\",\"manual/a\"]",
                    "[\"manual/a\",\"manual/b\"]");
            assertEquals(200, server.putSubscription("s1", reordered).status());

            SubscriptionTestServer.Reply conflict = server.putSubscription("s1",
                    PULL.replace("\"d\"", "\"other\""));
            assertEquals(409, conflict.status());
            assertEquals("SUBSCRIPTION_ALREADY_EXISTS", conflict.errorCode());
        }
    }

    @Test
    void getReturnsSubscriptionView() {
        try (SubscriptionTestServer server = SubscriptionTestServer.start()) {
            server.putSubscription("s1", PULL);
            Map<?, ?> view = server.getSubscription("s1").json();

            assertEquals("s1", view.get("id"));
            assertEquals("s1", view.get("subscription_id"));
            assertEquals("pull-wake", view.get("type"));
            assertEquals("events/*", view.get("pattern"));
            assertEquals("wake/w", view.get("wake_stream"));
            assertNull(view.get("webhook"));
            assertEquals(30000L, view.get("lease_ttl_ms"));
            assertEquals("2030-01-01T00:00:00.000Z", view.get("created_at"));
            assertEquals("active", view.get("status"));
            assertEquals("d", view.get("description"));
            assertEquals(2, ((List<?>) view.get("streams")).size());
        }
    }

    @Test
    void explicitStreamsAddAndRemove() {
        try (SubscriptionTestServer server = SubscriptionTestServer.start()) {
            String tail = server.createJsonStream("manual/c", "{\"n\":1}")
                    .header("Stream-Next-Offset");
            server.putSubscription("s1", PULL);

            assertEquals(204, server.send("POST", "__ds/subscriptions/s1/streams",
                    "{\"streams\":[\"manual/c\",\"manual/a\"]}",
                    "Content-Type", "application/json").status());
            assertEquals(tail, link(server, "s1", "manual/c").get("acked_offset"));
            assertEquals(Offsets.START, link(server, "s1", "manual/a").get("acked_offset"));
            assertEquals("explicit", link(server, "s1", "manual/c").get("link_type"));

            assertEquals(204, server.send("DELETE", "__ds/subscriptions/s1/streams/manual%2Fc",
                    "").status());
            assertEquals(204, server.send("DELETE", "__ds/subscriptions/s1/streams/manual/b",
                    "").status());
            assertEquals(204, server.send("DELETE", "__ds/subscriptions/s1/streams/manual%2Fc",
                    "").status());
            assertNull(link(server, "s1", "manual/c"));
            assertNull(link(server, "s1", "manual/b"));
            assertEquals("explicit", link(server, "s1", "manual/a").get("link_type"));
        }
    }

    @Test
    void removingExplicitLinkKeepsGlobLink() {
        try (SubscriptionTestServer server = SubscriptionTestServer.start()) {
            server.createJsonStream("events/x", "{\"n\":1}");
            server.putSubscription("s1", PULL);
            server.send("POST", "__ds/subscriptions/s1/streams", "{\"streams\":[\"events/x\"]}",
                    "Content-Type", "application/json");
            assertEquals("explicit", link(server, "s1", "events/x").get("link_type"));

            server.send("DELETE", "__ds/subscriptions/s1/streams/events%2Fx", "");

            assertEquals("glob", link(server, "s1", "events/x").get("link_type"));
        }
    }

    @Test
    void globLinksOnlyMatchingStreams() {
        try (SubscriptionTestServer server = SubscriptionTestServer.start()) {
            server.createJsonStream("wake/w", "[]");
            server.putSubscription("s1", "{\"type\":\"pull-wake\",\"pattern\":\"**\","
                    + "\"wake_stream\":\"wake/w\"}");
            server.createJsonStream("events/a", "");
            server.createJsonStream("deep/a/b/c", "");

            assertFalse(link(server, "s1", "events/a") == null);
            assertFalse(link(server, "s1", "deep/a/b/c") == null);
            // A subscription's own wake stream is never linked, or every wake would wake it.
            assertNull(link(server, "s1", "wake/w"));
        }
    }

    @Test
    void reservedPrefixIsNotAStream() {
        try (SubscriptionTestServer server = SubscriptionTestServer.start()) {
            SubscriptionTestServer.Reply create = server.send("PUT", "__ds/mine", "",
                    "Content-Type", "text/plain");
            SubscriptionTestServer.Reply root = server.send("GET", "__ds", "");

            assertEquals(404, create.status());
            assertEquals("SUBSCRIPTION_NOT_FOUND", create.errorCode());
            assertEquals(404, root.status());
            assertEquals(201, server.send("PUT", "events/__ds", "", "Content-Type",
                    "text/plain").status());
        }
    }

    @Test
    void invalidConfigurationsAreRejected() {
        try (SubscriptionTestServer server = SubscriptionTestServer.start()) {
            String[] bodies = {
                    "not json",
                    "[]",
                    "{\"type\":\"pull-wake\",\"wake_stream\":\"w\"}",
                    "{\"type\":\"other\",\"pattern\":\"a/*\"}",
                    "{\"type\":\"pull-wake\",\"pattern\":\"a/*\"}",
                    "{\"type\":\"webhook\",\"pattern\":\"a/*\"}",
                    "{\"type\":\"pull-wake\",\"pattern\":\"a/*\",\"wake_stream\":\"w\","
                            + "\"lease_ttl_ms\":999}",
                    "{\"type\":\"pull-wake\",\"pattern\":\"a/*\",\"wake_stream\":\"w\","
                            + "\"lease_ttl_ms\":600001}",
                    "{\"type\":\"pull-wake\",\"streams\":[\"__ds/x\"],\"wake_stream\":\"w\"}",
                    "{\"type\":\"pull-wake\",\"streams\":[\"w\"],\"wake_stream\":\"w\"}",
                    "{\"type\":\"pull-wake\",\"pattern\":\"a*\",\"wake_stream\":\"w\"}",
            };
            for (String body : bodies) {
                SubscriptionTestServer.Reply reply = server.putSubscription("s1", body);
                assertEquals(400, reply.status(), body);
                assertEquals("INVALID_REQUEST", reply.errorCode(), body);
            }
            assertEquals(400, server.putSubscription("bad%20id", PULL).status());
        }
    }

    @Test
    void managementFollowsAccessPolicy() throws Exception {
        AccessPolicy tokens = new TokenAccessPolicy(List.of("read-token"),
                List.of("write-token"));
        try (SubscriptionTestServer server = SubscriptionTestServer.start(tokens);
             WebhookReceiver receiver = WebhookReceiver.start()) {
            String config = "{\"type\":\"webhook\",\"pattern\":\"events/*\","
                    + "\"webhook\":{\"url\":\"" + receiver.url() + "\"}}";
            String path = "__ds/subscriptions/s1";

            SubscriptionTestServer.Reply anonymous = server.send("PUT", path, config,
                    "Content-Type", "application/json");
            SubscriptionTestServer.Reply reader = server.send("PUT", path, config,
                    "Content-Type", "application/json", "Authorization", "Bearer read-token");
            SubscriptionTestServer.Reply writer = server.send("PUT", path, config,
                    "Content-Type", "application/json", "Authorization", "Bearer write-token");

            assertEquals(401, anonymous.status());
            assertEquals("UNAUTHORIZED", anonymous.errorCode());
            assertEquals("Bearer", anonymous.header("WWW-Authenticate"));
            assertEquals(403, reader.status());
            assertEquals("FORBIDDEN", reader.errorCode());
            assertEquals(201, writer.status());
            assertEquals(401, server.send("GET", path, "").status());
            assertEquals(200, server.send("GET", path, "", "Authorization", "Bearer read-token")
                    .status());
            assertEquals(403, server.send("POST", path + "/claim", "{\"worker\":\"w\"}",
                    "Content-Type", "application/json", "Authorization", "Bearer read-token")
                    .status());
            assertEquals(200, server.send("GET", "__ds/jwks.json", "").status());

            // The callback carries the subscription's token, not a service token.
            server.send("PUT", "events/a", "{\"n\":1}", "Content-Type", "application/json",
                    "Authorization", "Bearer write-token");
            WebhookReceiver.Request wake = receiver.next();
            String tail = (String) wake.stream("events/a").get("tail_offset");
            assertEquals(200, server.action("s1", "callback", wake.string("callback_token"),
                    WebhookDeliveryTest.callbackBody(wake, "events/a", tail, true)).status());
        }
    }

    @Test
    void unknownSubscriptionIsNotFound() {
        try (SubscriptionTestServer server = SubscriptionTestServer.start()) {
            assertEquals("SUBSCRIPTION_NOT_FOUND", server.getSubscription("nope").errorCode());
            assertEquals(404, server.send("DELETE", "__ds/subscriptions/nope", "").status());
            assertEquals(404, server.action("nope", "claim", null, "{\"worker\":\"w\"}")
                    .status());
        }
    }
}
