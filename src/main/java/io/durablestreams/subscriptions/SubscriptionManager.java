package io.durablestreams.subscriptions;

import java.lang.System.Logger.Level;
import java.net.URI;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.DoubleSupplier;

import io.durablestreams.json.InvalidJsonException;
import io.durablestreams.json.JsonMessages;
import io.durablestreams.store.Append;
import io.durablestreams.store.DurableStream;
import io.durablestreams.store.Offsets;
import io.durablestreams.store.StreamEvents;
import io.durablestreams.store.StreamException;
import io.durablestreams.store.StreamStore;
import io.durablestreams.subscriptions.CallbackTokens.Claims;
import io.durablestreams.subscriptions.CallbackTokens.Scope;
import io.durablestreams.subscriptions.StreamLinks.LinkState;
import io.durablestreams.subscriptions.Subscription.StreamLink;
import io.durablestreams.subscriptions.SubscriptionConfig.DeliveryType;

import static java.nio.charset.StandardCharsets.UTF_8;

/**
 * Keeps every subscription, links streams to them, and drives their delivery: wakes, leases,
 * webhook retries, callbacks and pull-wake claims, acks and releases.
 *
 * <p>A subscription has pending work when a linked stream's tail is past its acked offset. While
 * it has no wake in flight, pending work starts a wake: the generation goes up by one and a new
 * wake id is drawn. A webhook wake is POSTed, signed, to the webhook URL, and its lease starts at
 * once. A pull-wake wake is appended to the wake stream, and its lease starts when a worker
 * claims it. A callback, ack or release is accepted only with a valid token for the current
 * generation and wake id, so a stale worker is fenced off and never moves a cursor. When a lease
 * expires, the wake ends and pending work starts the next one.
 *
 * <p>Thread-safety: safe for concurrent use. Each subscription has its own lock, held for every
 * change and for persisting it. Network calls and appends to wake streams run on the work
 * executor after the lock is released. Stream events from the store are handled one at a time,
 * in order, on the event executor.
 */
public final class SubscriptionManager implements StreamEvents, AutoCloseable {

    private static final System.Logger LOGGER =
            System.getLogger(SubscriptionManager.class.getName());

    private static final int MAX_WORKER_NAME_LENGTH = 200;

    private final StreamStore store;
    private final StreamLinks links;
    private final SubscriptionStorage storage;
    private final WebhookSigner signer;
    private final CallbackTokens tokens;
    private final WebhookUrlPolicy urlPolicy;
    private final WebhookClient webhooks;
    private final Clock clock;
    private final TaskScheduler scheduler;
    private final Executor work;
    private final Executor streamEvents;
    private final RetryBackoff backoff;
    private final Duration tokenTtl;
    private final List<AutoCloseable> owned;
    private final SecureRandom random = new SecureRandom();
    private final ConcurrentHashMap<String, Subscription> subscriptions = new ConcurrentHashMap<>();
    private volatile boolean closed;

    private SubscriptionManager(Builder builder, List<AutoCloseable> owned) {
        this.store = builder.store;
        this.links = new StreamLinks(builder.store);
        this.storage = builder.storage;
        this.signer = builder.signer;
        this.tokens = builder.tokens;
        this.urlPolicy = builder.urlPolicy;
        this.webhooks = builder.webhooks;
        this.clock = builder.clock;
        this.scheduler = builder.scheduler;
        this.work = builder.work;
        this.streamEvents = builder.streamEvents;
        this.backoff = new RetryBackoff(builder.jitter);
        this.tokenTtl = builder.settings.callbackTokenTtl();
        this.owned = List.copyOf(owned);
    }

    /**
     * Starts a builder.
     *
     * @param store the streams that subscriptions follow
     * @return the builder
     */
    public static Builder builder(StreamStore store) {
        return new Builder(store);
    }

    /**
     * Opens the subscriptions of a server: with a data directory, state and keys are kept in its
     * {@code subscriptions} folder and survive restarts; without one, they live in memory.
     *
     * @param store the streams that subscriptions follow
     * @param settings subscription settings
     * @param dataDirectory the file store's data directory, or empty for the memory store
     * @return the running manager, registered as a listener of the store
     */
    public static SubscriptionManager open(StreamStore store, SubscriptionSettings settings,
                                           Optional<Path> dataDirectory) {
        return builder(store).settings(settings).dataDirectory(dataDirectory).build();
    }

    // ---------------------------------------------------------------- subscription resources

    /**
     * The outcome of a create request.
     *
     * @param view the subscription as GET returns it
     * @param created true when this request created it, false when it re-confirmed it
     */
    record Created(Map<String, Object> view, boolean created) {
    }

    /**
     * Creates a subscription, or re-confirms one that has the same normalized configuration.
     *
     * @param id the subscription id
     * @param config the requested configuration
     * @param baseUrl absolute URL of the stream root, without trailing slash
     * @return the subscription and whether it is new
     * @throws SubscriptionException {@code WEBHOOK_URL_REJECTED} for an unsafe webhook URL,
     *         {@code SUBSCRIPTION_ALREADY_EXISTS} when the id has another configuration
     */
    Created createOrConfirm(String id, SubscriptionConfig config, String baseUrl) {
        config.webhookUrl().ifPresent(urlPolicy::check);
        String hash = config.hash();
        Subscription s = subscriptions.computeIfAbsent(id, Subscription::new);
        s.lock.lock();
        try {
            if (!s.deleted) {
                if (!s.configHash.equals(hash)) {
                    throw SubscriptionException.alreadyExists(id);
                }
                return new Created(view(s, baseUrl), false);
            }
            s.deleted = false;
            s.config = config;
            s.configHash = hash;
            s.incarnation = randomHex(16);
            s.createdAt = clock.instant().truncatedTo(ChronoUnit.MILLIS);
            s.baseUrl = baseUrl;
            s.links.clear();
            s.clearWake();
            s.clearRetry();
            links.linkExplicit(s, config.streams());
            links.backfill(s);
            save(s);
            LOGGER.log(Level.INFO, "Created {0} subscription {1} with {2,number,#} linked"
                    + " streams", config.type().wireName(), id, s.links.size());
            return new Created(view(s, baseUrl), true);
        } finally {
            s.lock.unlock();
        }
    }

    /**
     * Returns a subscription as GET returns it.
     *
     * @param id the subscription id
     * @param baseUrl absolute URL of the stream root, for the JWKS URL
     * @return the subscription's JSON view
     * @throws SubscriptionException {@code SUBSCRIPTION_NOT_FOUND}
     */
    Map<String, Object> get(String id, String baseUrl) {
        Subscription s = require(id);
        s.lock.lock();
        try {
            requireLive(s);
            return view(s, baseUrl);
        } finally {
            s.lock.unlock();
        }
    }

    /**
     * Deletes a subscription, leaving a tombstone: requests for its current wake fail from now
     * on and never move a cursor.
     *
     * @param id the subscription id
     * @throws SubscriptionException {@code SUBSCRIPTION_NOT_FOUND}
     */
    void delete(String id) {
        Subscription s = require(id);
        s.lock.lock();
        try {
            requireLive(s);
            s.deleted = true;
            s.config = null;
            s.links.clear();
            s.clearWake();
            s.clearRetry();
            save(s);
            LOGGER.log(Level.INFO, "Deleted subscription {0}", id);
        } finally {
            s.lock.unlock();
        }
    }

    /**
     * Links streams explicitly; a stream linked already keeps its cursor.
     *
     * @param id the subscription id
     * @param paths stream paths
     * @throws SubscriptionException {@code SUBSCRIPTION_NOT_FOUND}, or {@code INVALID_REQUEST}
     *         for an invalid path or the subscription's own wake stream
     */
    void addStreams(String id, List<String> paths) {
        for (String path : paths) {
            StreamPathSyntax.checkStreamPath(path, "streams[]");
        }
        Subscription s = require(id);
        s.lock.lock();
        try {
            requireLive(s);
            for (String path : paths) {
                if (s.isOwnWakeStream(path)) {
                    throw SubscriptionException.invalidRequest("Stream " + path + " is this"
                            + " subscription's wake stream and cannot be subscribed to");
                }
            }
            links.linkExplicit(s, paths);
            save(s);
        } finally {
            s.lock.unlock();
        }
    }

    /**
     * Removes an explicit link. A stream that the pattern matches stays linked by the pattern,
     * with its cursor; removing a link that does not exist does nothing.
     *
     * @param id the subscription id
     * @param path the stream path
     * @throws SubscriptionException {@code SUBSCRIPTION_NOT_FOUND}
     */
    void removeStream(String id, String path) {
        Subscription s = require(id);
        s.lock.lock();
        try {
            requireLive(s);
            StreamLink link = s.links.get(path);
            if (link == null || !link.explicit) {
                return;
            }
            link.explicit = false;
            boolean matched = s.patternMatches(path) && store.find(path).isPresent();
            if (link.glob || matched) {
                link.glob = true;
            } else {
                s.links.remove(path);
                s.snapshot.remove(path);
            }
            save(s);
        } finally {
            s.lock.unlock();
        }
    }

    /**
     * Returns the JSON Web Key Set with the webhook signing key.
     *
     * @return the key set
     */
    Map<String, Object> jwks() {
        return signer.jwks();
    }

    // ---------------------------------------------------------------- wake completion

    /**
     * Handles a webhook callback: applies its acks, then extends the lease or, with
     * {@code done}, ends the wake.
     *
     * @param id the subscription id
     * @param token the bearer token from the webhook body
     * @param body the parsed request body
     * @return {@code {"ok": true, "next_wake": ...}}
     * @throws SubscriptionException {@code TOKEN_INVALID}, {@code TOKEN_EXPIRED}, {@code FENCED},
     *         {@code INVALID_OFFSET} or {@code INVALID_REQUEST}
     */
    Map<String, Object> callback(String id, String token, Object body) {
        return acknowledge(id, token, WakeRequest.fromJson(body), Scope.CALLBACK);
    }

    /**
     * Handles a pull-wake ack, which doubles as heartbeat: applies its acks, then extends the
     * lease or, with {@code done}, releases it.
     *
     * @param id the subscription id
     * @param token the claim token
     * @param body the parsed request body
     * @return {@code {"ok": true, "next_wake": ...}}
     * @throws SubscriptionException as for {@link #callback}
     */
    Map<String, Object> ack(String id, String token, Object body) {
        return acknowledge(id, token, WakeRequest.fromJson(body), Scope.CLAIM);
    }

    /**
     * Releases a claimed pull-wake without acking; pending work starts another wake.
     *
     * @param id the subscription id
     * @param token the claim token
     * @param body the parsed request body, with {@code wake_id} and {@code generation}
     * @throws SubscriptionException {@code TOKEN_INVALID}, {@code TOKEN_EXPIRED} or
     *         {@code FENCED}
     */
    void release(String id, String token, Object body) {
        WakeRequest request = WakeRequest.fromJson(body);
        Claims claims = tokens.verify(token, id, Scope.CLAIM, clock.instant());
        Subscription s = require(id);
        Effects effects = new Effects();
        try {
            s.lock.lock();
            try {
                requireCurrentWake(s, claims, request, effects);
                LOGGER.log(Level.DEBUG, () -> "Worker " + s.holder + " released generation "
                        + s.generation + " of subscription " + id);
                s.clearWake();
                save(s);
                wakeIfDue(s, effects);
            } finally {
                s.lock.unlock();
            }
        } finally {
            effects.run();
        }
    }

    /**
     * Claims the pull-wake of a subscription for a worker, starting the lease.
     *
     * @param id the subscription id
     * @param worker the worker's name, reported to other claimants
     * @return {@code wake_id}, {@code generation}, {@code token}, {@code streams} and
     *         {@code lease_ttl_ms}
     * @throws SubscriptionException {@code ALREADY_CLAIMED} while another worker holds the lease,
     *         {@code NO_PENDING_WORK} when there is nothing to do, {@code INVALID_REQUEST} for a
     *         webhook subscription
     */
    Map<String, Object> claim(String id, String worker) {
        if (worker.length() > MAX_WORKER_NAME_LENGTH) {
            throw SubscriptionException.invalidRequest("worker is longer than "
                    + MAX_WORKER_NAME_LENGTH + " characters");
        }
        Subscription s = require(id);
        Effects effects = new Effects();
        try {
            s.lock.lock();
            try {
                requireLive(s);
                if (s.config.type() != DeliveryType.PULL_WAKE) {
                    throw SubscriptionException.invalidRequest("Subscription " + id + " delivers"
                            + " by webhook; only pull-wake subscriptions can be claimed");
                }
                expireLeaseIfDue(s, effects);
                if (s.holder != null) {
                    throw SubscriptionException.alreadyClaimed(s.holder, s.generation);
                }
                List<LinkState> states = links.inspectAll(s);
                if (s.wakeId == null) {
                    if (states.stream().noneMatch(LinkState::pending)) {
                        throw SubscriptionException.noPendingWork(id);
                    }
                    // The claimant takes the wake at once, so no wake event is written for it.
                    s.generation++;
                    s.wakeId = newWakeId();
                    s.wakeEventWritten = true;
                }
                Instant now = clock.instant();
                s.holder = worker;
                s.leaseExpiresAt = now.plusMillis(s.config.leaseTtlMillis());
                s.clearRetry();
                save(s);
                scheduleLeaseCheck(s, s.wakeId);
                String token = tokens.issue(new Claims(id, s.incarnation, s.generation, s.wakeId,
                        Scope.CLAIM, now.plus(tokenTtl)));
                LOGGER.log(Level.DEBUG, () -> "Worker " + worker + " claimed generation "
                        + s.generation + " of subscription " + id);

                Map<String, Object> response = new LinkedHashMap<>();
                response.put("wake_id", s.wakeId);
                response.put("generation", s.generation);
                response.put("token", token);
                response.put("streams", SubscriptionViews.streamInfos(states));
                response.put("lease_ttl_ms", s.config.leaseTtlMillis());
                return response;
            } finally {
                s.lock.unlock();
            }
        } finally {
            effects.run();
        }
    }

    private Map<String, Object> acknowledge(String id, String token, WakeRequest request,
                                            Scope scope) {
        Claims claims = tokens.verify(token, id, scope, clock.instant());
        Subscription s = require(id);
        Effects effects = new Effects();
        try {
            s.lock.lock();
            try {
                requireCurrentWake(s, claims, request, effects);
                applyAcks(s, request.acks());
                boolean nextWake = false;
                if (request.done()) {
                    s.clearWake();
                    save(s);
                    nextWake = links.inspectAll(s).stream().anyMatch(LinkState::pending);
                    wakeIfDue(s, effects);
                } else {
                    s.leaseExpiresAt = clock.instant().plusMillis(s.config.leaseTtlMillis());
                    save(s);
                }
                Map<String, Object> response = new LinkedHashMap<>();
                response.put("ok", true);
                response.put("next_wake", nextWake);
                return response;
            } finally {
                s.lock.unlock();
            }
        } finally {
            effects.run();
        }
    }

    /**
     * Checks that a request belongs to the subscription's current wake, as generation fencing
     * requires: the token's incarnation, generation and wake id, and the request's generation
     * and wake id must all be current, and a pull-wake must be claimed.
     */
    private void requireCurrentWake(Subscription s, Claims claims, WakeRequest request,
                                    Effects effects) {
        if (s.deleted) {
            throw SubscriptionException.fenced("Subscription " + s.id + " was deleted");
        }
        if (!claims.incarnation().equals(s.incarnation)) {
            throw SubscriptionException.fenced("Token belongs to a deleted subscription that had"
                    + " the id " + s.id);
        }
        expireLeaseIfDue(s, effects);
        if (s.wakeId == null || claims.generation() != s.generation
                || !claims.wakeId().equals(s.wakeId)) {
            throw SubscriptionException.fenced("Token is for generation " + claims.generation()
                    + ", which is no longer the current wake");
        }
        if (request.generation() != s.generation) {
            throw SubscriptionException.fenced("Generation " + request.generation()
                    + " is stale; the current generation is " + s.generation);
        }
        if (!request.wakeId().equals(s.wakeId)) {
            throw SubscriptionException.fenced("Wake " + request.wakeId() + " is not the"
                    + " current wake");
        }
        if (s.config.type() == DeliveryType.PULL_WAKE && s.holder == null) {
            throw SubscriptionException.fenced("The wake is not claimed");
        }
    }

    /** Validates every ack first, then applies them all, so a rejected request changes nothing. */
    private void applyAcks(Subscription s, List<WakeRequest.Ack> acks) {
        Map<StreamLink, Long> positions = new LinkedHashMap<>();
        for (WakeRequest.Ack ack : acks) {
            StreamLink link = s.links.get(ack.stream());
            if (link == null) {
                throw SubscriptionException.invalidOffset("Stream " + ack.stream() + " is not"
                        + " linked to subscription " + s.id);
            }
            if (!Offsets.isWellFormed(ack.offset())) {
                throw SubscriptionException.invalidOffset("Offset " + ack.offset() + " for "
                        + ack.stream() + " is not an offset this server issued");
            }
            long position = Offsets.parse(ack.offset());
            LinkState state = links.inspect(link);
            if (position > state.tail()) {
                throw SubscriptionException.invalidOffset("Offset " + ack.offset() + " is beyond"
                        + " the tail of " + ack.stream() + " at " + Offsets.format(state.tail()));
            }
            long floor = Math.max(link.ackedPosition, positions.getOrDefault(link, 0L));
            if (position < floor) {
                throw SubscriptionException.invalidOffset("Offset " + ack.offset() + " is before"
                        + " the acked offset " + Offsets.format(floor) + " of " + ack.stream());
            }
            positions.put(link, position);
        }
        positions.forEach((link, position) -> link.ackedPosition = position);
    }

    // ---------------------------------------------------------------- wakes

    /** Starts a wake when the subscription is idle, has pending work and no retry is due later. */
    private void wakeIfDue(Subscription s, Effects effects) {
        if (s.deleted || s.wakeId != null || closed) {
            return;
        }
        Instant now = clock.instant();
        if (s.nextAttemptAt != null && now.isBefore(s.nextAttemptAt)) {
            return;
        }
        List<LinkState> states = links.inspectAll(s);
        Optional<LinkState> firstPending = states.stream()
                .filter(LinkState::pending)
                .findFirst();
        if (firstPending.isEmpty()) {
            if (s.retryPending()) {
                s.clearRetry();
                save(s);
            }
            return;
        }

        s.generation++;
        s.wakeId = newWakeId();
        String wakeId = s.wakeId;
        long generation = s.generation;
        LOGGER.log(Level.DEBUG, () -> "Waking subscription " + s.id + " with generation "
                + generation);
        if (s.config.type() == DeliveryType.WEBHOOK) {
            s.leaseExpiresAt = now.plusMillis(s.config.leaseTtlMillis());
            for (LinkState state : states) {
                s.snapshot.put(state.link().path, state.tail());
            }
            byte[] body = webhookBody(s, states, now);
            String url = s.config.webhookUrl().orElseThrow();
            save(s);
            scheduleLeaseCheck(s, wakeId);
            effects.add(() -> deliver(s, wakeId, url, body));
        } else {
            s.wakeEventWritten = false;
            save(s);
            String stream = firstPending.get().link().path;
            String wakeStream = s.config.wakeStream().orElseThrow();
            effects.add(() -> writeWakeEvent(s, wakeId, generation, stream, wakeStream));
        }
    }

    private byte[] webhookBody(Subscription s, List<LinkState> states, Instant now) {
        String token = tokens.issue(new Claims(s.id, s.incarnation, s.generation, s.wakeId,
                Scope.CALLBACK, now.plus(tokenTtl)));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("subscription_id", s.id);
        body.put("wake_id", s.wakeId);
        body.put("generation", s.generation);
        body.put("streams", SubscriptionViews.streamInfos(states));
        body.put("callback_url", s.baseUrl + "/" + StreamPathSyntax.RESERVED_PREFIX
                + "/subscriptions/" + s.id + "/callback");
        body.put("callback_token", token);
        return Json.write(body);
    }

    /** POSTs a webhook wake; runs on the work executor without the subscription lock. */
    private void deliver(Subscription s, String wakeId, String url, byte[] body) {
        WebhookClient.Outcome outcome;
        try {
            // Checked again at every delivery: the name may resolve elsewhere than at creation.
            // NOTE: HttpClient resolves the name once more to connect, so a DNS server that
            // changes its answer between the two lookups can still reach an internal address.
            URI uri = urlPolicy.check(url);
            long timestamp = clock.instant().getEpochSecond();
            outcome = webhooks.post(uri, body, signer.signatureHeader(timestamp, body));
        } catch (SubscriptionException e) {
            outcome = WebhookClient.Outcome.failed(e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOGGER.log(Level.DEBUG, "Webhook delivery interrupted, most likely by shutdown");
            return;
        }
        Effects effects = new Effects();
        try {
            s.lock.lock();
            try {
                handleDelivery(s, wakeId, outcome, effects);
            } finally {
                s.lock.unlock();
            }
        } finally {
            effects.run();
        }
    }

    private void handleDelivery(Subscription s, String wakeId, WebhookClient.Outcome outcome,
                                Effects effects) {
        if (s.deleted || !wakeId.equals(s.wakeId)) {
            // A callback finished the wake first, or its lease expired, or it was deleted.
            LOGGER.log(Level.DEBUG, () -> "Ignoring the delivery result of a finished wake of"
                    + " subscription " + s.id);
            return;
        }
        if (outcome.delivered()) {
            if (s.retryPending()) {
                LOGGER.log(Level.INFO, "Webhook delivery for subscription {0} succeeded after"
                        + " {1,number,#} failed attempts", s.id, s.retryAttempt);
            }
            s.clearRetry();
            if (outcome.done()) {
                ackSnapshot(s);
                s.clearWake();
                save(s);
                wakeIfDue(s, effects);
            } else {
                save(s);
            }
            return;
        }
        s.retryAttempt++;
        Duration delay = backoff.delay(s.retryAttempt);
        s.nextAttemptAt = clock.instant().plus(delay);
        // The receiver did not accept this wake, so it ends and the retry starts a new one.
        s.clearWake();
        save(s);
        LOGGER.log(Level.WARNING, "Webhook delivery for subscription {0} failed"
                + " (attempt {1,number,#}): {2}; retrying in {3,number,#} ms", s.id,
                s.retryAttempt, outcome.failure(), delay.toMillis());
        scheduler.schedule(s.nextAttemptAt, () -> onRetryDue(s));
    }

    /**
     * Acks the tails sent with the wake, as a webhook response of {@code {"done": true}}
     * requests.
     */
    private void ackSnapshot(Subscription s) {
        s.snapshot.forEach((path, tail) -> {
            StreamLink link = s.links.get(path);
            if (link != null && tail > link.ackedPosition && tail <= links.inspect(link).tail()) {
                link.ackedPosition = tail;
            }
        });
    }

    /** Appends a wake event to the wake stream; runs without the subscription lock. */
    private void writeWakeEvent(Subscription s, String wakeId, long generation, String stream,
                                String wakeStreamPath) {
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("type", "wake");
        event.put("subscription_id", s.id);
        event.put("stream", stream);
        event.put("generation", generation);
        event.put("ts", clock.millis());
        String failure = null;
        try {
            DurableStream wakeStream = store.require(wakeStreamPath);
            byte[] json = Json.write(event);
            List<byte[]> records = wakeStream.config().isJson()
                    ? JsonMessages.split(json, false)
                    : List.of((new String(json, UTF_8) + "\n").getBytes(UTF_8));
            store.append(wakeStream, new Append(Optional.of(wakeStream.config().contentType()),
                    records, false, Optional.empty(), Optional.empty()));
        } catch (StreamException e) {
            failure = e.getMessage();
        } catch (InvalidJsonException e) {
            throw new IllegalStateException("A wake event is always valid JSON", e);
        }

        s.lock.lock();
        try {
            if (s.deleted || !wakeId.equals(s.wakeId)) {
                return;
            }
            if (failure == null) {
                s.wakeEventWritten = true;
                s.clearRetry();
                save(s);
                return;
            }
            s.retryAttempt++;
            Duration delay = backoff.delay(s.retryAttempt);
            s.nextAttemptAt = clock.instant().plus(delay);
            save(s);
            LOGGER.log(Level.WARNING, "Writing a wake event of subscription {0} to {1} failed"
                    + " (attempt {2,number,#}): {3}; retrying in {4,number,#} ms", s.id,
                    wakeStreamPath, s.retryAttempt, failure, delay.toMillis());
            scheduler.schedule(s.nextAttemptAt, () -> onRetryDue(s));
        } finally {
            s.lock.unlock();
        }
    }

    private void onRetryDue(Subscription s) {
        Effects effects = new Effects();
        s.lock.lock();
        try {
            if (s.deleted || s.nextAttemptAt == null || closed) {
                return;
            }
            if (clock.instant().isBefore(s.nextAttemptAt)) {
                scheduler.schedule(s.nextAttemptAt, () -> onRetryDue(s));
                return;
            }
            if (s.config.type() == DeliveryType.PULL_WAKE && s.wakeId != null
                    && !s.wakeEventWritten && s.holder == null) {
                rewriteWakeEvent(s, effects);
            } else {
                wakeIfDue(s, effects);
            }
        } finally {
            s.lock.unlock();
        }
        effects.run();
    }

    /** Writes the event of an unclaimed pull-wake again, after a failure or a restart. */
    private void rewriteWakeEvent(Subscription s, Effects effects) {
        List<LinkState> states = links.inspectAll(s);
        String stream = states.stream().filter(LinkState::pending).findFirst()
                .or(() -> states.stream().findFirst())
                .map(state -> state.link().path)
                .orElse("");
        String wakeId = s.wakeId;
        long generation = s.generation;
        String wakeStream = s.config.wakeStream().orElseThrow();
        effects.add(() -> writeWakeEvent(s, wakeId, generation, stream, wakeStream));
    }

    // ---------------------------------------------------------------- leases

    private void scheduleLeaseCheck(Subscription s, String wakeId) {
        scheduler.schedule(s.leaseExpiresAt, () -> onLeaseDue(s, wakeId));
    }

    private void onLeaseDue(Subscription s, String wakeId) {
        Effects effects = new Effects();
        s.lock.lock();
        try {
            if (s.deleted || !wakeId.equals(s.wakeId) || s.leaseExpiresAt == null || closed) {
                return;
            }
            if (clock.instant().isBefore(s.leaseExpiresAt)) {
                // A callback or heartbeat extended the lease after this check was scheduled.
                scheduleLeaseCheck(s, wakeId);
                return;
            }
            expireLease(s, effects);
        } finally {
            s.lock.unlock();
        }
        effects.run();
    }

    /** Expires the lease once its time has passed, even when its timer has not run yet. */
    private void expireLeaseIfDue(Subscription s, Effects effects) {
        if (s.leaseExpiresAt != null && !clock.instant().isBefore(s.leaseExpiresAt)) {
            expireLease(s, effects);
        }
    }

    private void expireLease(Subscription s, Effects effects) {
        LOGGER.log(Level.INFO, "Lease of subscription {0} generation {1,number,#} expired{2}", s.id,
                s.generation, s.holder == null ? "" : " (held by " + s.holder + ")");
        s.clearWake();
        save(s);
        wakeIfDue(s, effects);
    }

    // ---------------------------------------------------------------- stream events

    @Override
    public void created(DurableStream stream) {
        if (!subscriptions.isEmpty() && !closed) {
            streamEvents.execute(() -> handleEvent("creation of " + stream.path(),
                    () -> onCreated(stream)));
        }
    }

    @Override
    public void appended(DurableStream stream, long tail) {
        if (!subscriptions.isEmpty() && !closed) {
            streamEvents.execute(() -> handleEvent("append to " + stream.path(),
                    () -> onAppended(stream)));
        }
    }

    @Override
    public void deleted(String path) {
        if (!subscriptions.isEmpty() && !closed) {
            streamEvents.execute(() -> handleEvent("deletion of " + path, () -> onDeleted(path)));
        }
    }

    private void handleEvent(String what, Runnable handler) {
        try {
            handler.run();
        } catch (RuntimeException e) {
            // The store calls listeners on request threads, which must not fail for this.
            LOGGER.log(Level.WARNING, "Updating subscriptions after the " + what + " failed", e);
        }
    }

    /** Links a new stream that a pattern matches, before its first data, so that data wakes. */
    private void onCreated(DurableStream stream) {
        String path = stream.path();
        for (Subscription s : subscriptions.values()) {
            Effects effects = new Effects();
            s.lock.lock();
            try {
                if (s.deleted) {
                    continue;
                }
                StreamLink link = s.links.get(path);
                boolean matches = s.patternMatches(path);
                if (link == null && !matches) {
                    continue;
                }
                if (link == null) {
                    link = new StreamLink(path);
                    s.links.put(path, link);
                }
                link.glob |= matches;
                if (!stream.id().equals(link.streamId)) {
                    link.streamId = stream.id();
                    link.ackedPosition = StreamLinks.startOf(stream);
                }
                save(s);
                wakeIfDue(s, effects);
            } finally {
                s.lock.unlock();
            }
            effects.run();
        }
    }

    // NOTE: each store event visits every subscription, which suits hundreds of them; many
    // thousands would need an index from paths and patterns to subscriptions.
    private void onAppended(DurableStream stream) {
        String path = stream.path();
        for (Subscription s : subscriptions.values()) {
            Effects effects = new Effects();
            s.lock.lock();
            try {
                if (s.deleted) {
                    continue;
                }
                if (!s.links.containsKey(path)) {
                    if (!s.patternMatches(path)) {
                        continue;
                    }
                    // Only reachable when the creation raced with the subscription's backfill.
                    // Linking at the stream's start treats the data as new, like a creation.
                    StreamLink link = new StreamLink(path);
                    link.glob = true;
                    link.streamId = stream.id();
                    link.ackedPosition = StreamLinks.startOf(stream);
                    s.links.put(path, link);
                    save(s);
                }
                wakeIfDue(s, effects);
            } finally {
                s.lock.unlock();
            }
            effects.run();
        }
    }

    /** Drops pattern links of a deleted stream; explicit links stay, waiting for a new stream. */
    private void onDeleted(String path) {
        for (Subscription s : subscriptions.values()) {
            s.lock.lock();
            try {
                StreamLink link = s.links.get(path);
                if (s.deleted || link == null) {
                    continue;
                }
                s.snapshot.remove(path);
                if (link.explicit) {
                    link.glob = false;
                    link.ackedPosition = 0;
                    link.streamId = null;
                } else {
                    s.links.remove(path);
                }
                save(s);
            } finally {
                s.lock.unlock();
            }
        }
    }

    // ---------------------------------------------------------------- helpers

    private Map<String, Object> view(Subscription s, String baseUrl) {
        return SubscriptionViews.view(s, links.inspectAll(s), baseUrl, signer.kid());
    }

    private Subscription require(String id) {
        Subscription s = subscriptions.get(id);
        if (s == null) {
            throw SubscriptionException.notFound(id);
        }
        return s;
    }

    private static void requireLive(Subscription s) {
        if (s.deleted) {
            throw SubscriptionException.notFound(s.id);
        }
    }

    private void save(Subscription s) {
        storage.save(s);
    }

    private String newWakeId() {
        return "w_" + randomHex(12);
    }

    private String randomHex(int bytes) {
        byte[] value = new byte[bytes];
        random.nextBytes(value);
        return HexFormat.of().formatHex(value);
    }

    /**
     * Work to start once the subscription lock is released: webhook requests and wake-stream
     * appends, which may block and, for appends, call back into this manager.
     */
    private final class Effects {
        private final List<Runnable> actions = new ArrayList<>(1);

        void add(Runnable action) {
            actions.add(action);
        }

        void run() {
            for (Runnable action : actions) {
                work.execute(() -> handleEvent("delivery of a wake", action));
            }
            actions.clear();
        }
    }

    // ---------------------------------------------------------------- lifecycle

    /** Loads persisted subscriptions and resumes their leases, retries and pending wakes. */
    private void load() {
        List<Subscription> loaded = storage.loadAll();
        for (Subscription s : loaded) {
            subscriptions.put(s.id, s);
        }
        int live = 0;
        for (Subscription s : loaded) {
            Effects effects = new Effects();
            s.lock.lock();
            try {
                if (s.deleted) {
                    continue;
                }
                live++;
                if (s.wakeId != null && s.leaseExpiresAt != null) {
                    scheduleLeaseCheck(s, s.wakeId);
                }
                if (s.nextAttemptAt != null) {
                    // The retry keeps the schedule it had before the restart.
                    scheduler.schedule(s.nextAttemptAt, () -> onRetryDue(s));
                } else if (s.config.type() == DeliveryType.PULL_WAKE && s.wakeId != null
                        && !s.wakeEventWritten && s.holder == null) {
                    rewriteWakeEvent(s, effects);
                }
                wakeIfDue(s, effects);
            } finally {
                s.lock.unlock();
            }
            effects.run();
        }
        LOGGER.log(Level.INFO, "Subscriptions stored {0}: loaded {1,number,#}, webhook signing"
                + " key {2}", storage.description(), live, signer.kid());
    }

    /** Stops timers and deliveries; state already persisted stays for the next start. */
    @Override
    public void close() {
        closed = true;
        scheduler.close();
        for (AutoCloseable resource : owned) {
            try {
                resource.close();
            } catch (Exception e) {
                LOGGER.log(Level.WARNING, "Closing " + resource + " failed", e);
            }
        }
    }

    /**
     * Configures a {@link SubscriptionManager}. Tests replace the clock, scheduler, executors,
     * host resolver and jitter; the server uses the defaults.
     */
    public static final class Builder {

        private final StreamStore store;
        private SubscriptionSettings settings = SubscriptionSettings.defaults();
        private Optional<Path> dataDirectory = Optional.empty();
        private Clock clock = Clock.systemUTC();
        private TaskScheduler scheduler;
        private Executor work;
        private Executor streamEvents;
        private WebhookUrlPolicy.HostResolver resolver = java.net.InetAddress::getAllByName;
        private DoubleSupplier jitter = () -> java.util.concurrent.ThreadLocalRandom.current()
                .nextDouble();

        private SubscriptionStorage storage;
        private WebhookSigner signer;
        private CallbackTokens tokens;
        private WebhookUrlPolicy urlPolicy;
        private WebhookClient webhooks;

        private Builder(StreamStore store) {
            this.store = Objects.requireNonNull(store, "store");
        }

        /**
         * Sets the subscription settings.
         *
         * @param settings the settings
         * @return this builder
         */
        public Builder settings(SubscriptionSettings settings) {
            this.settings = Objects.requireNonNull(settings, "settings");
            return this;
        }

        /**
         * Sets the data directory whose {@code subscriptions} folder keeps state and keys.
         *
         * @param dataDirectory the directory, or empty to keep everything in memory
         * @return this builder
         */
        public Builder dataDirectory(Optional<Path> dataDirectory) {
            this.dataDirectory = Objects.requireNonNull(dataDirectory, "dataDirectory");
            return this;
        }

        /**
         * Sets the clock of leases, retries, tokens and signatures.
         *
         * @param clock the clock
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Sets the scheduler of lease checks and retries.
         *
         * @param scheduler the scheduler, closed with the manager
         * @return this builder
         */
        public Builder scheduler(TaskScheduler scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        /**
         * Sets where webhook requests and wake-stream appends run, and where stream events are
         * handled; handing both a direct executor ({@code Runnable::run}) makes a test
         * deterministic.
         *
         * @param work runs webhook requests and wake-stream appends
         * @param streamEvents runs store events; must run them one at a time, in order
         * @return this builder
         */
        public Builder executors(Executor work, Executor streamEvents) {
            this.work = Objects.requireNonNull(work, "work");
            this.streamEvents = Objects.requireNonNull(streamEvents, "streamEvents");
            return this;
        }

        /**
         * Sets how webhook host names are resolved for the SSRF check.
         *
         * @param resolver the resolver
         * @return this builder
         */
        public Builder hostResolver(WebhookUrlPolicy.HostResolver resolver) {
            this.resolver = Objects.requireNonNull(resolver, "resolver");
            return this;
        }

        /**
         * Sets the random source of retry jitter.
         *
         * @param jitter returns values in [0, 1)
         * @return this builder
         */
        public Builder jitter(DoubleSupplier jitter) {
            this.jitter = Objects.requireNonNull(jitter, "jitter");
            return this;
        }

        /**
         * Creates the manager, loads persisted subscriptions and registers it with the store.
         *
         * @return the running manager
         */
        public SubscriptionManager build() {
            List<AutoCloseable> owned = new ArrayList<>();
            if (dataDirectory.isPresent()) {
                Path root = dataDirectory.get().resolve("subscriptions");
                storage = new SubscriptionStorage.InFiles(root.resolve("state"));
                signer = WebhookSigner.loadOrCreate(root.resolve("keys"));
                tokens = CallbackTokens.loadOrCreate(root.resolve("keys"));
            } else {
                storage = new SubscriptionStorage.InMemory();
                signer = WebhookSigner.generate();
                tokens = CallbackTokens.generate();
            }
            urlPolicy = new WebhookUrlPolicy(settings.allowInsecureLocalhostWebhooks(), resolver);
            webhooks = new WebhookClient(settings.webhookTimeout());
            owned.add(webhooks);
            if (scheduler == null) {
                scheduler = TaskScheduler.system(clock);
            }
            if (work == null) {
                ExecutorService virtualThreads = Executors.newVirtualThreadPerTaskExecutor();
                ExecutorService serial = Executors.newSingleThreadExecutor(
                        Thread.ofVirtual().name("subscription-events").factory());
                owned.add(virtualThreads::shutdownNow);
                owned.add(serial::shutdownNow);
                work = virtualThreads;
                streamEvents = serial;
            }
            SubscriptionManager manager = new SubscriptionManager(this, owned);
            manager.load();
            store.addListener(manager);
            return manager;
        }
    }
}
